using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Scheduler.Agent.Journal;

/// <summary>
/// Every write to the agent's journal file, on one thread and one connection: whatever was queued while the last commit
/// ran is committed together in one transaction (group commit). Hundreds of task supervisors persisting at once so cost a
/// few transactions, not one each (Akka.Persistence.Sql's cost per operation was most of an agent's CPU, issue 8).
/// A failed group is tried again one write at a time, so a write that cannot be made fails alone.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    /// <summary>Writes in one transaction at most: a commit is never held back for long by a flood of writes.</summary>
    private const int MaxGroup = 512;

    private readonly BlockingCollection<Job> _queue = new();
    private readonly string _path;
    private SqliteConnection _connection;
    private readonly Thread _thread;
    private long _commits;

    public JournalWriter(string path)
    {
        _path = path;
        _connection = AgentJournalFile.Open(path);
        AgentJournalFile.EnsureSchema(_connection);
        _thread = new Thread(Run) { IsBackground = true, Name = "agent-journal-writer" };
        _thread.Start();
    }

    /// <summary>Transactions committed so far (a group of writes counts once).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Runs <paramref name="write"/> inside a transaction on the writer's connection; the task ends after its commit.</summary>
    public Task Enqueue(Action<SqliteConnection> write)
    {
        var job = new Job(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            _queue.Add(job);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return Task.FromException(new ObjectDisposedException(nameof(JournalWriter), "the agent journal is closed"));
        }

        return job.Done.Task;
    }

    /// <summary>Commits what is queued, then closes the connection.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _connection.Dispose();
        _queue.Dispose();
    }

    private void Run()
    {
        var group = new List<Job>(MaxGroup);
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            group.Add(first);
            while (group.Count < MaxGroup && _queue.TryTake(out var next))
            {
                group.Add(next);
            }

            Commit(group);
            group.Clear();
        }
    }

    private void Commit(List<Job> group)
    {
        try
        {
            // IMMEDIATE takes the write lock at once, so the transaction cannot fail half-way on another connection's lock.
            AgentJournalFile.Execute(_connection, "BEGIN IMMEDIATE;");
        }
        catch (Exception e)
        {
            // No write ran (the file is locked by another program past the busy timeout, say): trying each alone would
            // only wait that long again for every one of them.
            RollBack();
            group.ForEach(job => job.Done.TrySetException(e));
            return;
        }

        try
        {
            WriteAndCommit(c => group.ForEach(job => job.Write(c)));
        }
        catch (Exception) when (group.Count > 1)
        {
            // Which write failed is not known: each is tried again alone and reports its own outcome.
            group.ForEach(job => Commit([job]));
            return;
        }
        catch (Exception e)
        {
            group[0].Done.TrySetException(e);
            return;
        }

        group.ForEach(job => job.Done.TrySetResult());
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the transaction begun by the caller and commits it. By SQL, not a transaction
    /// object: the writes' commands then need no transaction handed to them.
    /// </summary>
    private void WriteAndCommit(Action<SqliteConnection> write)
    {
        try
        {
            write(_connection);
            AgentJournalFile.Execute(_connection, "COMMIT;");
            Interlocked.Increment(ref _commits);
        }
        catch
        {
            RollBack();
            throw;
        }
    }

    /// <summary>
    /// Ends a failed transaction. SQLite may have rolled it back already (a full disk does); if the rollback itself fails,
    /// the connection is replaced, or every later write would fail with "cannot start a transaction within a transaction".
    /// </summary>
    private void RollBack()
    {
        try
        {
            if (AgentJournalFile.InTransaction(_connection))
            {
                AgentJournalFile.Execute(_connection, "ROLLBACK;");
            }
        }
        catch (Exception)
        {
            _connection.Dispose();
            _connection = AgentJournalFile.Open(_path);
        }
    }

    private sealed record Job(Action<SqliteConnection> Write, TaskCompletionSource Done);
}
