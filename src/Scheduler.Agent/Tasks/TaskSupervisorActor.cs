using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Agent.Tasks;

/// <summary>
/// One per task (persistence id <c>task-{TaskId}</c>): journals the task's life and owns its OS process.
/// Every event is tagged so the agent can stream its journal to the Master in global order.
/// A start of a known task id starts nothing; the same id with another command is refused.
/// </summary>
public sealed class TaskSupervisorActor : ReceivePersistentActor, IWithTimers
{
    private static readonly System.Collections.Immutable.IImmutableSet<string> Tags =
        System.Collections.Immutable.ImmutableHashSet.Create(SchedulerPaths.TaskEventTag);

    private readonly string _agentName;
    private readonly AgentSettings _settings;
    private readonly ProcessTable _processes;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private SupervisedTask _state;
    private string? _killReason;
    private bool _killedByWindow;
    private bool _timedOut;
    private readonly List<IActorRef> _settledWatchers = [];
    private bool _unjournaled;
    /// <summary>Started for a task already final: only for the command that started it (see <see cref="IdleIfStartedForNothing"/>).</summary>
    private bool _startedFinal;
    /// <summary>A release's delete of the events is under way.</summary>
    private bool _releasing;

    public TaskSupervisorActor(string taskId, string agentName, AgentSettings settings, ProcessTable processes, TimeProvider time, bool unjournaled)
    {
        _unjournaled = unjournaled;
        _agentName = agentName;
        _settings = settings;
        _processes = processes;
        _time = time;
        _state = SupervisedTask.Empty(taskId);
        PersistenceId = PersistenceIdOf(taskId);
        SnapshotPluginId = SchedulerPaths.NoSnapshotStore; // a task's journal is a handful of events

        Recover<ITaskEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _startedFinal = _state.IsFinal;
            CheckProcessAfterRecovery();
        });

        Command<StartTask>(Start);
        Command<StopTask>(s => Kill(s.Reason));
        Command<FenceTask>(f =>
        {
            _killedByWindow |= _killReason is null && !_state.IsNew && !_state.IsFinal;
            Kill(f.Reason);
        });
        Command<KillForShutdown>(k =>
        {
            _settledWatchers.Add(Sender);
            Kill(k.Reason);
            ReplyIfSettled();
        });
        Command<FetchTaskLog>(SendLog);
        Command<ReleaseTask>(_ => Release());
        Command<StopSupervisor>(_ => StopUnlessBusy());
        Command<DeleteMessagesSuccess>(_ =>
        {
            _releasing = false;
            TaskLogFiles.Delete(LogPath);
            _log.Debug("Task {TaskId} released: its events and log file are deleted", TaskId);
            Context.Parent.Tell(new TaskReleased(TaskId));
            ReportIdle();
        });
        Command<DeleteMessagesFailure>(f =>
        {
            _releasing = false;
            _log.Warning(f.Cause, "Task {TaskId}: deleting its released events failed; they stay until the next release", TaskId);
            ReportIdle();
        });
        Command<ProcessExited>(OnExited);
        Command<OutputCutOff>(c => JournalTruncation(c.Truncation));
        Command<TimeoutReached>(_ =>
        {
            _timedOut = true;
            Kill("timed out");
        });
        Command<OrphanChecked>(o => PersistEvent(
            new TaskLost(TaskId, o.Killed ? "agent restarted; its orphaned process was killed" : "agent restarted", Now)));
    }

    public static string PersistenceIdOf(string taskId) => "task-" + taskId;

    public static string ActorNameOf(string taskId) => ActorNamePrefix + taskId;

    /// <summary>The task id of a supervisor's actor name, or null for another actor's name.</summary>
    public static string? TaskIdOf(string actorName) =>
        actorName.StartsWith(ActorNamePrefix, StringComparison.Ordinal) ? actorName[ActorNamePrefix.Length..] : null;

    private const string ActorNamePrefix = "task-";

    /// <summary>
    /// <paramref name="unjournaled"/>: the agent knows the journal holds no event of this task (a new task id), so
    /// there is nothing to replay. By constructor arguments, not an expression: Akka compiles each argument of an
    /// expression anew for every Props, and one supervisor is made per task (2 % of the agent's CPU in the throughput
    /// benchmark, issue 8).
    /// </summary>
    public static Props Props(string taskId, string agentName, AgentSettings settings, ProcessTable processes, TimeProvider time, bool unjournaled = false) =>
        Akka.Actor.Props.Create(typeof(TaskSupervisorActor), taskId, agentName, settings, processes, time, unjournaled);

    public override string PersistenceId { get; }

    /// <summary>
    /// A new task's recovery only reads where its (empty) sequence starts; the replay query is skipped. Replaying a new
    /// task's events had cost more agent CPU than writing them (throughput benchmark, issue 8).
    /// </summary>
    public override Recovery Recovery => _unjournaled ? Recovery.None : Recovery.Default;

    /// <summary>
    /// A restart builds the supervisor again from the same Props, but by now it may have journaled events (and own a
    /// running process): it replays them, or it would take its task for new and could start it a second time.
    /// Recovery is asked for in the base call, so the flag is cleared first.
    /// </summary>
    public override void AroundPostRestart(Exception cause, object message)
    {
        _unjournaled = false;
        base.AroundPostRestart(cause, message);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string TaskId => _state.TaskId;

    private DateTimeOffset Now => _time.GetUtcNow();

    private string LogPath => TaskLogFiles.PathFor(_settings.LogsDir, TaskId);

    private void CheckProcessAfterRecovery()
    {
        if (!_state.MayHaveProcess)
        {
            return;
        }

        // The journal says the task may be running. Re-attach if this agent process still owns it
        // (a new ActorSystem incarnation); otherwise the agent restarted and the outcome is lost.
        if (_processes.Find(TaskId) is { } process)
        {
            AgentMetrics.Attached(_agentName, TaskId);
            Attach(process);
        }
        else if (_state.Process is { } p)
        {
            var identity = new ProcessIdentity(p.Pid, p.StartTicks, p.BootId);
            ProcessTreeKiller.KillOrphanAsync(identity, TaskId, KillGrace)
                .PipeTo(Self, success: killed => new OrphanChecked(killed), failure: _ => new OrphanChecked(false));
        }
        else
        {
            Self.Tell(new OrphanChecked(false));
        }
    }

    /// <summary>The task's own kill grace when it asks for a shorter one than the agent's (never longer: see <see cref="TaskSpec"/>).</summary>
    private TimeSpan KillGrace => _state.Spec?.KillGrace is { } own && own < _settings.KillGrace ? own : _settings.KillGrace;

    private void Start(StartTask command)
    {
        switch (_state.Decide(command.Spec))
        {
            case StartDecision.Accept:
                PersistEvent(new TaskAccepted(TaskId, command.Spec, Now), _ => Launch(command.Spec));
                break;
            case StartDecision.AlreadyKnown:
                _log.Debug("Task {TaskId} already known in state {State}; start ignored", TaskId, _state.State);
                IdleIfStartedForNothing();
                break;
            case StartDecision.Conflict:
                _log.Warning("Task {TaskId}: {Reason}", TaskId, _state.ConflictReason(command.Spec));
                Sender.Tell(new StartTaskRejected(_agentName, TaskId, _state.ConflictReason(command.Spec)));
                IdleIfStartedForNothing();
                break;
        }
    }

    private void Launch(TaskSpec spec)
    {
        TaskProcess process;
        try
        {
            process = TaskProcessLauncher.Start(spec, LogPath);
        }
        catch (TaskProcessException e)
        {
            _log.Info("Task {TaskId} failed to start: {Error}", TaskId, e.Message);
            PersistEvent(new TaskFailedToStart(TaskId, e.Message, Now));
            return;
        }

        _processes.Add(TaskId, process);
        var id = process.Identity;
        PersistEvent(new TaskStarted(TaskId, id.Pid, id.StartTicks, id.BootId, Now), _ =>
        {
            _log.Info("Task {TaskId} started as pid {Pid}", TaskId, id.Pid);
            Attach(process);
        });
    }

    private void Attach(TaskProcess process)
    {
        process.OutputTruncated.PipeTo(Self, success: t => new OutputCutOff(t));
        process.Exited.PipeTo(Self, success: code => new ProcessExited(code), failure: _ => new ProcessExited(-1));
        if (_state.Spec?.Timeout is { } timeout)
        {
            var remaining = (_state.StartedAt ?? Now) + timeout - Now;
            Timers.StartSingleTimer("timeout", TimeoutReached.Instance, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }

        if (_killReason is not null)
        {
            _ = process.KillAsync(KillGrace);
        }
    }

    private void Kill(string reason)
    {
        if (_state.IsNew && _settledWatchers.Count == 0)
        {
            ReportIdle(); // a kill for a task this journal never had: nothing to keep a supervisor for
            return;
        }

        if (_state.IsNew || _state.IsFinal || _killReason is not null)
        {
            IdleIfStartedForNothing();
            return;
        }

        _killReason = reason;
        if (_processes.Find(TaskId) is { } process)
        {
            _log.Info("Killing task {TaskId}: {Reason}", TaskId, reason);
            _ = process.KillAsync(KillGrace);
        }
    }

    private void OnExited(ProcessExited exited)
    {
        if (_state.IsFinal)
        {
            return;
        }

        Timers.Cancel("timeout");
        // The output ended before the exit was reported: a truncation is known by now, journaled before the end.
        if (_processes.Find(TaskId)?.OutputTruncated is { IsCompletedSuccessfully: true } cut)
        {
            JournalTruncation(cut.Result);
        }

        // The output was read to its end before the exit was reported: the log file has its final length.
        var logBytes = TaskLogFiles.LengthOf(LogPath);
        ITaskEvent e = _timedOut && _state.Spec?.Timeout is { } timeout
            ? new TaskTimedOut(TaskId, timeout, exited.ExitCode, Now, logBytes)
            : _killReason is { } reason
                ? new TaskKilled(TaskId, reason, exited.ExitCode, Now, _killedByWindow, logBytes)
                : new TaskExited(TaskId, exited.ExitCode, Now, logBytes);
        PersistEvent(e, _ =>
        {
            // Only once the outcome is journaled: if this ActorSystem is replaced before that, the next
            // incarnation still finds the (exited) process and journals the outcome instead of "agent restarted".
            _processes.Find(TaskId)?.Dispose();
            _processes.Remove(TaskId);
            _log.Info("Task {TaskId} ended {State} (exit code {ExitCode})", TaskId, _state.State, exited.ExitCode);
            if (logBytes == 0)
            {
                // The Master takes an empty log as complete from the event itself and asks nothing more: kept, the
                // supervisor of every quiet task would stay in memory until its release (retention, 7 days by default).
                // A later request (a release, an older Master's log request) starts one again from its events.
                ReportIdle();
            }
        });
    }

    /// <summary>The log could not be written (a full disk): journaled once, so the task's history says its log is cut off.</summary>
    private void JournalTruncation(OutputTruncation? truncation)
    {
        // Commands wait while an event is persisted, so the state already holds one journaled by an earlier command.
        if (truncation is null || _state.OutputTruncated || _state.IsNew)
        {
            return;
        }

        _log.Warning("Task {TaskId}: its log {LogPath} could not be written after {LogBytes} bytes ({Error}); the rest of its output is read and discarded",
            TaskId, LogPath, truncation.LogBytes, truncation.Error);
        PersistEvent(new TaskOutputTruncated(TaskId, truncation.LogBytes, truncation.Error, Now));
    }

    /// <summary>The Master holds this final task's history and log: delete its events and log file, then stop.</summary>
    private void Release()
    {
        if (_state.IsNew)
        {
            ReportIdle(); // nothing journaled under this id (already released)
        }
        else if (_state.IsFinal && !_releasing)
        {
            _releasing = true;
            DeleteMessages(LastSequenceNr);
        }
    }

    private void SendLog(FetchTaskLog fetch)
    {
        var (data, length) = TaskLogFiles.ReadChunk(LogPath, fetch.Offset, Math.Min(fetch.MaxBytes, _settings.LogChunkBytes));
        var complete = _state.IsFinal && fetch.Offset + data.Length >= length;
        Sender.Tell(new TaskLogChunk(_agentName, TaskId, fetch.Offset, data, complete));
        if (complete)
        {
            // Nothing is left to do for the task: its outcome is journaled and its log sent to the end. Kept, every
            // task the Master copied stayed in memory (33,000 supervisors after an adoption of that many, each asked by
            // the agent's fence and shutdown); one is started again on demand (a release, a late request), from its events.
            ReportIdle();
        }
    }

    /// <summary>
    /// The agent started this supervisor from its events for a command about a final task that needs nothing (a start
    /// sent again, a kill that came late): it stops again rather than stay in memory until the task's release.
    /// </summary>
    private void IdleIfStartedForNothing()
    {
        if (_startedFinal)
        {
            ReportIdle();
        }
    }

    /// <summary>Nothing is left to do: the agent stops this supervisor, and keeps what comes for the task meanwhile.</summary>
    private void ReportIdle() => Context.Parent.Tell(new SupervisorIdle(TaskId));

    /// <summary>
    /// The agent's answer to <see cref="ReportIdle"/>. Commands that were in the mailbox before it may have given the
    /// supervisor work again (a start of a new task, a release whose delete is under way): then it stays and says so.
    /// Persisting commands wait for their writes, so this one never cuts one short.
    /// </summary>
    private void StopUnlessBusy()
    {
        if (!_releasing && (_state.IsNew || _state.IsFinal) && _processes.Find(TaskId) is null)
        {
            Context.Stop(Self);
        }
        else
        {
            Context.Parent.Tell(new SupervisorBusy(TaskId));
        }
    }

    private void PersistEvent(ITaskEvent e, Action<ITaskEvent>? after = null) =>
        Persist(new Tagged(e, Tags), _ =>
        {
            _state = _state.Apply(e);
            AgentMetrics.Journaled(_agentName, e);
            after?.Invoke(e);
            ReplyIfSettled();
        });

    protected override void PostStop()
    {
        AgentMetrics.Stopped(_agentName, TaskId);
        base.PostStop();
    }

    private void ReplyIfSettled()
    {
        if (_state.IsNew || _state.IsFinal)
        {
            _settledWatchers.ForEach(w => w.Tell(new TaskSettled(TaskId)));
            _settledWatchers.Clear();
        }
    }

    private sealed record ProcessExited(int ExitCode) : INoSerializationVerificationNeeded;

    private sealed record OrphanChecked(bool Killed) : INoSerializationVerificationNeeded;

    private sealed record OutputCutOff(OutputTruncation? Truncation) : INoSerializationVerificationNeeded;

    private sealed class TimeoutReached : INoSerializationVerificationNeeded
    {
        public static TimeoutReached Instance { get; } = new();
    }
}

/// <summary>Kill the task (if it runs) because the agent is stopping; answered by <see cref="TaskSettled"/> once it is final.</summary>
public sealed record KillForShutdown(string Reason) : INoSerializationVerificationNeeded;

/// <summary>The Master confirmed the task can be released: delete its journal events and log file.</summary>
public sealed class ReleaseTask : INoSerializationVerificationNeeded
{
    public static ReleaseTask Instance { get; } = new();
}

/// <summary>The agent's reconnect window passed: kill the task if it runs, journaled as killed by the window.</summary>
public sealed record FenceTask(string Reason) : INoSerializationVerificationNeeded;

/// <summary>To the agent: the task's events are deleted, so its id is no longer in the journal.</summary>
public sealed record TaskReleased(string TaskId) : INoSerializationVerificationNeeded;

/// <summary>The task is final (or was never started).</summary>
public sealed record TaskSettled(string TaskId) : INoSerializationVerificationNeeded;
