using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Agent.Tests.Support;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting.Persistence;

namespace Scheduler.Agent.Tests.Journal;

/// <summary>
/// The agent's own journal plugin and its writer: rows as Akka.Persistence.Sql wrote them (journals move between the two
/// either way), writes committed in groups, a failing write failing alone, and a release keeping the task's highest
/// sequence number.
/// </summary>
public sealed class SqliteTaskJournalSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(AgentTestSystem.NewDir()).FullName;

    private string JournalPath => Path.Combine(_dir, "journal.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_journal_written_by_Akka_Persistence_Sql_should_be_replayed_and_continued_and_read_back_by_it()
    {
        // An agent of the previous release journals a task through Akka.Persistence.Sql.
        SqliteJournal.Prepare(JournalPath);
        var sqlConfig = SqliteJournal.Hocon(JournalPath, TimeSpan.FromMilliseconds(50)).WithFallback(SerializationConfig.Hocon);
        await using (var old = new TestSystem(ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(sqlConfig), SqliteJournal.DataOptions(JournalPath))))
        {
            await old.FailToStartAsync("old", _dir);
        }

        // This release replays it (the task is final, so its log is complete) and journals the next task after it.
        await using (var current = new TestSystem(AgentTestSystem.Setup(_dir)))
        {
            var log = await current.Supervisor("old", _dir).Ask<TaskLogChunk>(new FetchTaskLog(1, "old", 0, 100), TimeSpan.FromSeconds(15));
            Assert.True(log.Complete);
            await current.FailToStartAsync("new", _dir);
            var events = TaskEventReader.Of(current.System).ReadAll();
            Assert.Equal([(1L, "old"), (2L, "old"), (3L, "new"), (4L, "new")], events.Select(e => (e.Offset, e.Event.TaskId)));
        }

        // And the previous release reads this release's rows by tag, in the same order (a downgrade loses nothing).
        await using (var downgraded = new TestSystem(ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(sqlConfig), SqliteJournal.DataOptions(JournalPath))))
        {
            var events = await PersistenceQuery.Get(downgraded.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
                .CurrentEventsByTag(SchedulerPaths.TaskEventTag, Offset.NoOffset())
                .RunWith(Sink.Seq<EventEnvelope>(), downgraded.System.Materializer());
            Assert.Equal(
                ["TaskAccepted old", "TaskFailedToStart old", "TaskAccepted new", "TaskFailedToStart new"],
                events.Select(e => $"{e.Event.GetType().Name} {((ITaskEvent)e.Event).TaskId}"));
        }
    }

    [Fact]
    public void A_commit_should_be_on_disk_when_it_returns()
    {
        // synchronous=FULL (2): a power loss cannot take back events the Master may already have adopted.
        using var connection = AgentJournalFile.Open(JournalPath);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(2L, command.ExecuteScalar());
    }

    [Fact]
    public async Task Writes_queued_while_a_commit_waits_should_be_committed_together()
    {
        using var writer = new JournalWriter(JournalPath);
        var written = await WhileLockedAsync(() => Enumerable.Range(1, 100).Select(i => writer.Enqueue(c => Insert(c, i))).ToList());

        await Task.WhenAll(written);
        Assert.Equal(100, Count());
        // The first write may have been taken alone before the others were queued; the other 99 wait for one commit.
        Assert.InRange(writer.Commits, 1, 2);
    }

    [Fact]
    public async Task A_write_that_fails_should_fail_alone_and_the_rest_of_its_group_be_committed()
    {
        using var writer = new JournalWriter(JournalPath);
        await using (var setup = AgentJournalFile.Open(JournalPath))
        {
            // A write SQLite answers as it answers a full disk: with an error and the whole transaction rolled back.
            AgentJournalFile.Execute(setup, """
                CREATE TABLE doomed (n INTEGER);
                CREATE TRIGGER doomed_full BEFORE INSERT ON doomed BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); END;
                """);
        }

        var written = await WhileLockedAsync(() => new[]
        {
            writer.Enqueue(c => Insert(c, 1)),
            writer.Enqueue(c => AgentJournalFile.Execute(c, "INSERT INTO doomed VALUES (1)")),
            writer.Enqueue(c => Insert(c, 2)),
        });

        await written[0];
        await written[2];
        var failure = await Assert.ThrowsAsync<SqliteException>(() => written[1]);
        Assert.Contains("database or disk is full", failure.Message);
        Assert.Equal(2, Count());
        await writer.Enqueue(c => Insert(c, 3)); // and the writer goes on
        Assert.Equal(3, Count());
    }

    [Fact]
    public async Task A_released_task_should_keep_its_highest_sequence_number_so_a_later_start_continues_after_it()
    {
        await using var system = new TestSystem(AgentTestSystem.Setup(_dir));
        Directory.CreateDirectory(AgentTestSystem.Settings(_dir).LogsDir); // the agent makes it at start; a release deletes the log in it
        await system.FailToStartAsync("t1", _dir);
        // Under the probe, as under the agent: it says when the release is done.
        var supervisor = system.Probe.ChildActorOf(system.SupervisorProps("t1", _dir));
        supervisor.Tell(ReleaseTask.Instance, system.Probe);
        await system.Probe.ExpectMsgAsync<TaskReleased>(r => Assert.Equal("t1", r.TaskId));

        var reader = TaskEventReader.Of(system.System);
        Assert.Empty(reader.ReadAll());
        Assert.Empty(reader.LastEventOfEachTask()); // the kept row is a deleted one
        await system.FailToStartAsync("t1", _dir); // the id is started again (after a release the agent no longer knows it)
        Assert.Equal([(2L, true), (3L, false), (4L, false)], Rows("task-t1"));
        // The agent's start scan reads each task's newest row, whole: the last event, not the first one's columns.
        Assert.Equal(["TaskFailedToStart t1"], reader.LastEventOfEachTask().Select(e => $"{e.GetType().Name} {e.TaskId}"));
    }

    [Fact]
    public async Task The_forwarders_read_should_copy_stored_events_into_batches_that_fit_the_byte_limit()
    {
        await using var system = new TestSystem(AgentTestSystem.Setup(_dir));
        foreach (var id in new[] { "t1", "t2", "t3" })
        {
            await system.FailToStartAsync(id, _dir);
        }

        // A row another serializer wrote (Akka's default, id 1) is read and written again; the others are copied.
        var newtonsoft = new Akka.Serialization.NewtonSoftJsonSerializer((ExtendedActorSystem)system.System);
        Assert.Equal(1, newtonsoft.Identifier);
        using (var connection = AgentJournalFile.Open(JournalPath))
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE journal SET message = $m, identifier = 1, manifest = '' WHERE ordering = 4";
            update.Parameters.AddWithValue("$m", newtonsoft.ToBinary(new TaskFailedToStart("t2", "changed", DateTimeOffset.UnixEpoch)));
            update.ExecuteNonQuery();
        }

        var reader = TaskEventReader.Of(system.System);
        var all = reader.ReadEncoded(0, 100, int.MaxValue);
        Assert.Equal(
            reader.ReadAll().Select(e => (e.Offset, e.Event.GetType(), e.Event.TaskId)),
            all.Select(e => (e.Offset, e.Event.GetType(), e.Event.TaskId)));
        Assert.Equal(new TaskFailedToStart("t2", "changed", DateTimeOffset.UnixEpoch), all[3].Event);

        // A batch stops before the event that would take it past the limit; the first event always goes.
        var limit = all.Json.Length * 3 / 6;
        var first = reader.ReadEncoded(0, 100, limit);
        Assert.InRange(first.Json.Length, 1, limit);
        Assert.InRange(first.Count, 2, 4);
        Assert.Single(reader.ReadEncoded(0, 100, 10));
        Assert.Equal([5L, 6L], reader.ReadEncoded(4, 100, int.MaxValue).Select(e => e.Offset));

        // A damaged row is named, not sent on to the Master.
        using (var connection = AgentJournalFile.Open(JournalPath))
        {
            AgentJournalFile.Execute(connection, "UPDATE journal SET message = X'7B7B' WHERE ordering = 5");
        }

        var error = Assert.Throws<InvalidDataException>(() => reader.ReadEncoded(4, 100, int.MaxValue));
        Assert.StartsWith("The journal's event at offset 5 (TaskAccepted, 2 bytes) cannot be forwarded", error.Message);
    }

    /// <summary>Runs <paramref name="enqueue"/> while another connection holds the file's write lock, then lets the writer go.</summary>
    private async Task<IReadOnlyList<Task>> WhileLockedAsync(Func<IReadOnlyList<Task>> enqueue)
    {
        await using (var setup = AgentJournalFile.Open(JournalPath))
        {
            AgentJournalFile.Execute(setup, "CREATE TABLE IF NOT EXISTS probe (n INTEGER)");
        }

        await using var holder = AgentJournalFile.Open(JournalPath);
        AgentJournalFile.Execute(holder, "BEGIN IMMEDIATE;");
        var written = enqueue();
        await Task.Delay(200); // the writer is waiting for the lock (SQLite's busy timeout is 30 s)
        Assert.All(written, w => Assert.False(w.IsCompleted));
        AgentJournalFile.Execute(holder, "COMMIT;");
        return written;
    }

    private static void Insert(SqliteConnection connection, int n) => AgentJournalFile.Execute(connection, $"INSERT INTO probe VALUES ({n})");

    private long Count()
    {
        using var connection = AgentJournalFile.Open(JournalPath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM probe";
        return (long)command.ExecuteScalar()!;
    }

    private List<(long, bool)> Rows(string persistenceId)
    {
        using var connection = AgentJournalFile.Open(JournalPath);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT sequence_number, deleted FROM journal WHERE persistence_id = '{persistenceId}' ORDER BY sequence_number";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
        }

        return rows;
    }

    /// <summary>An ActorSystem on the spec's journal, terminated at the end of its block.</summary>
    private sealed class TestSystem(ActorSystemSetup setup) : IAsyncDisposable
    {
        public ActorSystem System { get; } = ActorSystem.Create("journal-specs", setup);

        public Akka.TestKit.TestProbe Probe => _probe ??= new Akka.TestKit.TestProbe(System, new Akka.TestKit.Xunit2.XunitAssertions());

        private Akka.TestKit.TestProbe? _probe;

        public IActorRef Supervisor(string taskId, string dir) => System.ActorOf(SupervisorProps(taskId, dir));

        public Props SupervisorProps(string taskId, string dir) =>
            TaskSupervisorActor.Props(taskId, "a1", AgentTestSystem.Settings(dir), new ProcessTable(), TimeProvider.System);

        /// <summary>Journals a task that cannot start (two events: accepted, failed to start) and waits until both are written.</summary>
        public async Task FailToStartAsync(string taskId, string dir)
        {
            var supervisor = await AgentTestSystem.JournalFailedStartAsync(System, dir, taskId);
            await supervisor.GracefulStop(TimeSpan.FromSeconds(10));
        }

        public async ValueTask DisposeAsync() => await System.Terminate();
    }
}
