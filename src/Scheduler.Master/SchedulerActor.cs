using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Agents;
using Scheduler.Core.Scheduling;
using Scheduler.Master.Agents;
using Scheduler.Master.Feed;
using Scheduler.Master.History;
using Scheduler.Master.Logs;

namespace Scheduler.Master;

/// <summary>
/// The scheduler (a ClusterSingleton, persistence id <c>scheduler</c>): keeps the history, accepts tasks,
/// dispatches them to agents and adopts the agents' journals. Thin over the pure <see cref="SchedulerState"/>:
/// it decides with it, persists, then applies and replies. Agent sessions are live and not persisted.
/// </summary>
public sealed partial class SchedulerActor : ReceivePersistentActor, IWithTimers
{
    private readonly MasterSettings _settings;
    private readonly TimeProvider _time;
    private readonly TaskHistoryStore _history;
    private readonly bool _startPaused;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, AgentSession> _sessions = new();
    private readonly IActorRef _feed;
    private readonly RemoteWatchTiming _watch = RemoteWatchTiming.Of(Context.System.Settings.Config);
    private SchedulerState _state = SchedulerState.Empty;

    /// <summary>Tasks from this sequence number on entered the state in this Master run (see HasNoStoredLog).</summary>
    private long _firstSequenceOfRun = long.MaxValue;

    public SchedulerActor(MasterSettings settings, TimeProvider time, TaskHistoryStore history, bool ignoreSnapshots = false, bool startPaused = false)
    {
        _startPaused = startPaused;
        _settings = settings;
        _time = time;
        _history = history;
        _ignoreSnapshots = ignoreSnapshots;
        _feed = Context.ActorOf(EventFeedActor.Props(), "feed");
        Recover<SnapshotOffer>(RecoverSnapshot);
        Recover<IMasterEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => StartEpoch());
        CommandAny(_ => Stash.Stash());
    }

    /// <param name="ignoreSnapshots">Recover from the journal's events alone (the snapshot could not be read).</param>
    /// <param name="startPaused">Persist a pause with the new epoch (the node was started with --paused).</param>
    public static Props Props(MasterSettings settings, TimeProvider time, TaskHistoryStore history, bool ignoreSnapshots = false, bool startPaused = false) =>
        Akka.Actor.Props.Create(() => new SchedulerActor(settings, time, history, ignoreSnapshots, startPaused));

    /// <summary>The scheduler's journal: one persistence id, shared by every master of a cluster.</summary>
    public const string JournalPersistenceId = "scheduler";

    public override string PersistenceId => JournalPersistenceId;

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    private void StartEpoch()
    {
        // Every singleton incarnation persists an epoch one higher than the last: agents ignore commands
        // of older epochs, which fences an old singleton after a split brain. A Master started paused persists
        // the pause with it, before it serves anything.
        _firstSequenceOfRun = _state.NextSequence;
        var started = new MasterEpochStarted(_state.Epoch + 1, Guid.NewGuid().ToString("N")[..12], Now);
        var events = new List<IMasterEvent> { started };
        if (_startPaused && !_state.Paused)
        {
            events.Add(new MasterPaused("started paused", Now));
        }

        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            _feed.Tell(new JournalAdvanced(LastSequenceNr));
            if (!ReferenceEquals(e, events[^1]))
            {
                return;
            }

            _log.Info("Master run {MasterRunId} started, epoch {Epoch}{Paused}: {Tasks} open task(s), {Agents} agent journal(s)",
                started.RunId, started.Epoch, _state.Paused ? ", PAUSED (no task starts until resume)" : "", _state.Tasks.Count, _state.Cursors.Count);
            Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.HeartbeatInterval);
            Timers.StartPeriodicTimer("outbox", ResendOutbox.Instance, _settings.OutboxResendInterval);
            Timers.StartPeriodicTimer("logs", CopyLogs.Instance, _settings.LogCopyInterval);
            Timers.StartPeriodicTimer("history", MoveHistory.Instance, _settings.HistoryMoveInterval);
            Timers.StartPeriodicTimer("jobs", FireJobs.Instance, JobTickInterval);
            DefineConfiguredJobs();
            Context.Parent.Tell(new SchedulerReady(started.RunId, started.Epoch));
            Become(Serving);
            PublishMetrics();
            Stash.UnstashAll();
        });
    }

    private void Serving()
    {
        Command<RegisterAgent>(OnRegister);
        Command<AgentHeartbeat>(OnHeartbeat);
        Command<AgentEventBatch>(OnBatch);
        Command<AgentCaughtUp>(OnCaughtUp);
        Command<ReleaseCandidates>(OnReleaseCandidates);
        Command<StartTaskRejected>(OnStartRejected);
        Command<TaskLogChunk>(OnLogChunk);
        Command<TaskLogCompleted>(OnLogCompleted);
        Command<Terminated>(OnAgentTerminated);
        Command<Tick>(_ => CheckReachability());
        Command<ResendOutbox>(_ => ResendAll());
        Command<CopyLogs>(_ => CopyAllLogs());
        Command<StoreEmptyLogs>(_ => StoreEmptyLogsFound());

        Command<SubmitTask>(OnSubmit);
        Command<SubmitChecked>(OnSubmitChecked);
        Command<StoreSubmits>(_ => StoreSubmitsFound());
        Command<KillTask>(OnKill);
        Command<GetTask>(OnGetTask);
        Command<GetTasks>(q => Sender.Tell(Tasks(_state.Unfinished(q.Agent))));
        Command<GetHistory>(OnGetHistory);
        Command<GetTaskLog>(OnGetLog);
        Command<HistoryLookup>(OnHistoryLookup);
        Command<LogActorIdle>(idle => StopLogActor(idle.TaskId, idle.Actor));
        Command<MoveHistory>(_ => MoveSettledToHistory());
        Command<HistoryWritten>(OnHistoryWritten);
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(OnSnapshotFailed);
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Deleting old snapshots failed: {Error}", f.Cause.GetBaseException().Message));
        Command<GetAgents>(_ => Sender.Tell(new AgentsResult(AgentViews())));
        Command<GetJobs>(_ => Sender.Tell(JobViews()));
        Command<RunJob>(OnRunJob);
        Command<AddJobs>(OnAddJobs);
        Command<RemoveJob>(OnRemoveJob);
        Command<FireJobs>(_ => FireDueJobs());
        Command<StatusQuery>(OnStatusQuery);
        Command<ChildDatabaseFailed>(f => StopForDatabase(f.Error));
        Command<ReadFeed>(r => _feed.Forward(r));
        Command<GetEvents>(q =>
        {
            // Oldest first, but the newest matter most: measure from the newest end.
            var (kept, omitted) = FrameBudget.Take(_state.Events(q.Agent, q.Limit).Reverse().ToList());
            kept.Reverse();
            Sender.Tell(new EventsResult(kept, omitted));
        });
    }

    /// <summary>The gauges of <see cref="MasterMetrics"/>: agents by state, running and unknown tasks, adoption lag.</summary>
    private void PublishMetrics()
    {
        // Per agent, not per task: a tick used to sort every task held (33,000 after a large adoption) to count them.
        var counts = _state.RunningCounts();
        var unknown = counts.Where(c => !(_sessions.TryGetValue(c.Key, out var s) && s.IsReachable)).Sum(c => c.Value);
        MasterMetrics.Publish(AgentViews(), counts.Values.Sum() - unknown, unknown);
    }

    protected override void PostStop()
    {
        MasterMetrics.Unpublish();
        base.PostStop();
    }

    /// <summary>A failed write stops this actor (Akka.Persistence's rule); the guard is told why and retries.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new DatabaseFailed($"writing {@event.GetType().Name} failed: {cause.GetBaseException().Message}", cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // A snapshot the serializer itself cannot decode fails the snapshot load before any event is replayed.
        if (!_snapshotUnreadable && !_ignoreSnapshots && LastSequenceNr == 0
            && reason.GetBaseException() is System.Text.Json.JsonException or System.Runtime.Serialization.SerializationException)
        {
            _snapshotUnreadable = true;
            Context.Parent.Tell(new SnapshotUnreadable(reason.GetBaseException().Message));
        }

        if (!_snapshotUnreadable)
        {
            Context.Parent.Tell(new DatabaseFailed($"recovery from the journal failed: {reason.GetBaseException().Message}", reason));
        }

        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>A task log copy could not be written: the database failed for the whole Master.</summary>
    private void StopForDatabase(string error)
    {
        Context.Parent.Tell(new DatabaseFailed(error));
        Context.Stop(Self);
    }

    private MasterStatus Status(DatabaseStatus database)
    {
        var agents = AgentViews();
        return new MasterStatus(
            SchedulerNode.Of(Context.System),
            _state.RunId,
            _state.Epoch,
            _settings.JournalKindName,
            database,
            new AgentCounts(
                agents.Count(a => a.State == AgentState.Connected),
                agents.Count(a => a.State == AgentState.Unreachable),
                agents.Count(a => a.State == AgentState.Lost)),
            _state.Unfinished(null).Count(),
            _state.Paused);
    }

    private TaskView View(TaskEntry t) =>
        t.ToView(_sessions.TryGetValue(t.Agent, out var s) && s.IsReachable);

    private TasksResult Tasks(IEnumerable<TaskEntry> entries)
    {
        var (kept, omitted) = FrameBudget.Take(entries.Select(View).ToList());
        return new TasksResult(kept, omitted);
    }

    private static RequestFailed NotFound(string taskId) => new(ErrorCode.NotFound, $"no task '{taskId}'");

    private void PersistAndApply(IMasterEvent e, Action<IMasterEvent>? after = null) =>
        Persist(e, persisted =>
        {
            Apply(persisted);
            after?.Invoke(persisted);
            SnapshotWhenDue();
        });

    /// <summary>
    /// Several events in one write (one transaction of the journal), each applied as it is confirmed, then
    /// <paramref name="after"/> with it and its index in <paramref name="events"/>.
    /// </summary>
    private void PersistAllAndApply<T>(IReadOnlyList<T> events, Action<T, int>? after = null) where T : IMasterEvent
    {
        var confirmed = 0;
        PersistAll(events, persisted =>
        {
            Apply(persisted);
            after?.Invoke(persisted, confirmed++);
            SnapshotWhenDue();
        });
    }

    private void Apply(IMasterEvent persisted)
    {
        _state = _state.Apply(persisted);
        _feed.Tell(new JournalAdvanced(LastSequenceNr));
    }

    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static Tick Instance { get; } = new();
    }

    private sealed class ResendOutbox : INoSerializationVerificationNeeded
    {
        public static ResendOutbox Instance { get; } = new();
    }

    private sealed class CopyLogs : INoSerializationVerificationNeeded
    {
        public static CopyLogs Instance { get; } = new();
    }

    private sealed class StoreSubmits : INoSerializationVerificationNeeded
    {
        public static StoreSubmits Instance { get; } = new();
    }

    private sealed class StoreEmptyLogs : INoSerializationVerificationNeeded
    {
        public static StoreEmptyLogs Instance { get; } = new();
    }
}
