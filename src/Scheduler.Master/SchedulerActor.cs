using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Agents;
using Scheduler.Core.Scheduling;
using Scheduler.Master.Agents;
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
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, AgentSession> _sessions = new();
    private SchedulerState _state = SchedulerState.Empty;

    public SchedulerActor(MasterSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        Recover<IMasterEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => StartEpoch());
        CommandAny(_ => Stash.Stash());
    }

    public static Props Props(MasterSettings settings, TimeProvider time) => Akka.Actor.Props.Create(() => new SchedulerActor(settings, time));

    public override string PersistenceId => "scheduler";

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    private void StartEpoch()
    {
        // Every singleton incarnation persists an epoch one higher than the last: agents ignore commands
        // of older epochs, which fences an old singleton after a split brain.
        var started = new MasterEpochStarted(_state.Epoch + 1, Guid.NewGuid().ToString("N")[..12], Now);
        Persist(started, e =>
        {
            _state = _state.Apply(e);
            _log.Info("Master run {MasterRunId} started, epoch {Epoch}: {Tasks} task(s) in history, {Agents} agent journal(s)",
                e.RunId, e.Epoch, _state.Tasks.Count, _state.Cursors.Count);
            Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.HeartbeatInterval);
            Timers.StartPeriodicTimer("outbox", ResendOutbox.Instance, _settings.OutboxResendInterval);
            Timers.StartPeriodicTimer("logs", CopyLogs.Instance, _settings.LogCopyInterval);
            Become(Serving);
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
        Command<TaskLogChunk>(c => LogActor(c.TaskId).Forward(c));
        Command<TaskLogCompleted>(c => PersistAndApply(c));
        Command<Terminated>(OnAgentTerminated);
        Command<Tick>(_ => CheckReachability());
        Command<ResendOutbox>(_ => ResendAll());
        Command<CopyLogs>(_ => CopyAllLogs());

        Command<SubmitTask>(OnSubmit);
        Command<KillTask>(OnKill);
        Command<GetTask>(q => Sender.Tell(_state.Tasks.TryGetValue(q.TaskId, out var t)
            ? new TaskResult(View(t))
            : NotFound(q.TaskId)));
        Command<GetTasks>(q => Sender.Tell(Tasks(_state.Unfinished(q.Agent))));
        Command<GetHistory>(q => Sender.Tell(Tasks(_state.History(q.Agent, q.TaskId, q.Limit))));
        Command<GetTaskLog>(OnGetLog);
        Command<GetAgents>(_ => Sender.Tell(new AgentsResult(AgentViews())));
        Command<GetEvents>(q =>
        {
            // Oldest first, but the newest matter most: measure from the newest end.
            var (kept, omitted) = FrameBudget.Take(_state.Events(q.Agent, q.Limit).Reverse().ToList());
            kept.Reverse();
            Sender.Tell(new EventsResult(kept, omitted));
        });
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
            _state = _state.Apply(persisted);
            after?.Invoke(persisted);
        });

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
}
