using Akka.Actor;
using Akka.Persistence;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;

namespace Scheduler.Master.Logs;

/// <summary>
/// The Master's copy of one task's log (persistence id <c>tasklog-{TaskId}</c>), in the Master's journal
/// database so any master serves <c>logs</c> after a fail-over or after the agent is gone. It pulls the
/// agent's file by byte offset: a chunk is stored only if it continues exactly at the copy's length, so
/// duplicates and late chunks change nothing and the copy stays byte-equal to the agent's file.
/// </summary>
public sealed class TaskLogActor : ReceivePersistentActor
{
    /// <summary>A log request that got no answer (lost in a cut) is sent again after this long.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);

    private readonly string _taskId;
    private readonly int _chunkBytes;
    private readonly TimeProvider _time;
    private readonly List<byte[]> _chunks = [];
    private long _length;
    private DateTimeOffset _requestedAt = DateTimeOffset.MinValue;
    private IActorRef? _agent;
    private long _epoch;

    /// <param name="idleAfter">For a settled task's log read from the history: stop asking the parent after this long unused.</param>
    public TaskLogActor(string taskId, int chunkBytes, TimeProvider time, TimeSpan? idleAfter = null)
    {
        _taskId = taskId;
        _chunkBytes = chunkBytes;
        _time = time;
        PersistenceId = "tasklog-" + taskId;
        SnapshotPluginId = SchedulerPaths.NoSnapshotStore;

        Recover<TaskLogChunkStored>(Append);
        Command<CopyLog>(c =>
        {
            _agent = c.Agent;
            _epoch = c.Epoch;
            // One request at a time; a request lost in a cut is asked again after a few seconds.
            if (_time.GetUtcNow() - _requestedAt > AskAgainAfter)
            {
                RequestNext();
            }
        });
        Command<TaskLogChunk>(OnChunk);
        Command<ReadLog>(r => Sender.Tell(Read(r)));
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new LogActorIdle(taskId, Self)));
        // A command, not a PoisonPill: commands wait while the actor recovers or persists, so reads already
        // queued are answered first (a PoisonPill would skip the persistent actor's stash and drop them).
        Command<StopLogCopy>(_ => Context.Stop(Self));
        if (idleAfter is { } idle)
        {
            SetReceiveTimeout(idle);
        }
    }

    public static Props Props(string taskId, int chunkBytes, TimeProvider time, TimeSpan? idleAfter = null) =>
        Akka.Actor.Props.Create(typeof(TaskLogActor), taskId, chunkBytes, time, idleAfter); // one per task: see TaskSupervisorActor.Props

    /// <summary>The Master's database failed under this copy: the scheduler (its parent) stops for the whole Master.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new ChildDatabaseFailed($"storing log output of task {_taskId} failed: {cause.GetBaseException().Message}"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Context.Parent.Tell(new ChildDatabaseFailed($"reading the log copy of task {_taskId} failed: {reason.GetBaseException().Message}"));
        base.OnRecoveryFailure(reason, message);
    }

    public override string PersistenceId { get; }

    private void OnChunk(TaskLogChunk chunk)
    {
        _requestedAt = DateTimeOffset.MinValue;
        if (chunk.Offset != _length)
        {
            return;
        }

        if (chunk.Data.Length > 0)
        {
            Persist(new TaskLogChunkStored(_taskId, chunk.Offset, chunk.Data), stored =>
            {
                Append(stored);
                AfterChunk(chunk);
            });
        }
        else
        {
            AfterChunk(chunk);
        }
    }

    private void AfterChunk(TaskLogChunk chunk)
    {
        if (chunk.Complete)
        {
            Context.Parent.Tell(new TaskLogCompleted(_taskId, _length, _time.GetUtcNow()));
        }
        else if (chunk.Data.Length > 0)
        {
            // More may be waiting: keep pulling until the agent has nothing new.
            RequestNext();
        }
    }

    private void RequestNext()
    {
        if (_agent is null)
        {
            return;
        }

        _requestedAt = _time.GetUtcNow();
        _agent.Tell(new FetchTaskLog(_epoch, _taskId, _length, _chunkBytes), Self);
    }

    private void Append(TaskLogChunkStored stored)
    {
        if (stored.Offset == _length)
        {
            _chunks.Add(stored.Data);
            _length += stored.Data.Length;
        }
    }

    private TaskLogResult Read(ReadLog read)
    {
        var offset = Math.Clamp(read.Offset, 0, _length);
        var count = (int)Math.Min(read.MaxBytes, _length - offset);
        var data = new byte[count];
        long position = 0;
        var written = 0;
        foreach (var chunk in _chunks)
        {
            var chunkEnd = position + chunk.Length;
            if (chunkEnd > offset && written < count)
            {
                var from = (int)Math.Max(0, offset + written - position);
                var n = Math.Min(chunk.Length - from, count - written);
                Array.Copy(chunk, from, data, written, n);
                written += n;
            }

            position = chunkEnd;
        }

        var next = offset + count;
        return new TaskLogResult(_taskId, offset, next, data, read.LogComplete && next == _length);
    }
}

/// <summary>Copy what is new in the task's log from this agent.</summary>
public sealed record CopyLog(IActorRef Agent, long Epoch) : INoSerializationVerificationNeeded;

/// <summary>Read the copy; <paramref name="LogComplete"/> is the scheduler's knowledge that the copy is whole.</summary>
public sealed record ReadLog(long Offset, int MaxBytes, bool LogComplete) : INoSerializationVerificationNeeded;

/// <summary>
/// A log copy, or the history table, could not be read or written: the Master's database failed, and the scheduler
/// stops for the whole Master.
/// </summary>
public sealed record ChildDatabaseFailed(string Error) : INoSerializationVerificationNeeded;

/// <summary>A log copy of a settled task was not used for a while: its parent may stop it (it holds the whole log).</summary>
public sealed record LogActorIdle(string TaskId, IActorRef Actor) : INoSerializationVerificationNeeded;

/// <summary>Stop after answering what is already queued (sent when the copy's task moved to history or it sat idle).</summary>
public sealed class StopLogCopy : INoSerializationVerificationNeeded
{
    public static StopLogCopy Instance { get; } = new();
}
