using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Event;
using Akka.Remote;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Link;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Configuration;
using Scheduler.Core.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// The agent (path <c>/user/agent</c>): registers with the Master through ClusterClient, exchanges
/// heartbeats, streams its journal, and runs the Master's commands through one
/// <see cref="TaskSupervisorActor"/> per task. Commands of an epoch older than the newest seen are ignored.
/// It keeps the reconnect window on its own clock: no round trip with the Master for that long, and it kills
/// its running tasks itself; silent for longer than the Master's watch, it starts a new ActorSystem incarnation,
/// because the Master has quarantined this one.
/// </summary>
public sealed partial class AgentActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly AgentSettings _settings;
    private readonly AgentIdentity _identity;
    private readonly AgentRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _masterClient;
    private IActorRef _forwarder = ActorRefs.Nobody;
    private readonly TaskEventReader _journal;
    private readonly RoundTrips _roundTrips;
    private long _epoch;
    private DateTimeOffset _lastMasterContact;
    /// <summary>When the current ClusterClient started looking for a master (see <see cref="FindMasterIfSilent"/>).</summary>
    private DateTimeOffset _lookedForMasterAt;
    private bool _fenced;
    private readonly DateTimeOffset _startedAt;
    private bool _newIncarnationRequested;
    private long _adoptedOffset;
    /// <summary>Every task id with events in this agent's journal (an id leaves once its release deleted them).</summary>
    private HashSet<string> _journaled = [];
    private bool _releasing;

    /// <summary>Said at start: an operator of an older system sees why tasks cost three execs there.</summary>
    private static string LauncherText => TaskProcessLauncher.DefaultMethod == TaskLaunchMethod.Spawn
        ? "with posix_spawn"
        : "through sh and setsid (this system lacks pidfd_open, Linux 5.3, or posix_spawn_file_actions_addclosefrom_np, glibc 2.34)";

    public AgentActor(AgentSettings settings, AgentIdentity identity, AgentRuntime runtime, TimeProvider time)
    {
        _settings = settings;
        _identity = identity;
        _runtime = runtime;
        _time = time;
        _roundTrips = new RoundTrips(runtime.LastRoundTrip);
        _startedAt = time.GetUtcNow();
        _journal = new TaskEventReader(settings.JournalPath, Context.System.Serialization);
        var protocol = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.Protocol;
        var contacts = settings.Masters
            .Select(m => ActorPath.Parse(HostPort.TryParse(m, out var hp) ? hp.ReceptionistPath(SchedulerPaths.SystemName, protocol) : m))
            .ToImmutableHashSet();
        _masterClient = Context.ActorOf(MasterClientActor.Props(contacts), "master-client");
        _lookedForMasterAt = _startedAt;
        Recovering();
    }

    public static Props Props(AgentSettings settings, AgentIdentity identity, AgentRuntime runtime, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new AgentActor(settings, identity, runtime, time));

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
        _forwarder = Context.ActorOf(JournalForwarderActor.Props(_settings, _identity, _masterClient, _journal), "journal-forwarder");
        // Re-create the supervisors of tasks the journal does not show final, so that after an agent
        // restart each one finds its orphan (or re-attaches to its still running process).
        Task.Run(() => _journal.LastEventOfEachTask())
            .PipeTo(Self, success: last => new Recovered(OpenTasks.Of(last), [.. last.Select(e => e.TaskId)]), failure: e => new RecoveryFailed(e));
    }

    private void Recovering()
    {
        Receive<Recovered>(r =>
        {
            _journaled = r.Journaled;
            foreach (var taskId in r.OpenTasks)
            {
                Supervisor(taskId);
            }

            _log.Info("Agent {AgentName} started (journal {JournalId}, incarnation {Incarnation}); {Count} unfinished task(s) in its journal; tasks start {Launcher}",
                _settings.Name, _identity.JournalId, _identity.Incarnation, r.OpenTasks.Count, LauncherText);
            BecomeUnregistered();
            var checkEvery = TimeSpan.FromMilliseconds(Math.Min(250, _settings.HeartbeatInterval.TotalMilliseconds));
            Timers.StartPeriodicTimer("link-check", LinkCheck.Instance, checkEvery);
            if (_settings.Retention is not null)
            {
                Timers.StartPeriodicTimer("release", ReleaseTick.Instance, _settings.ReleaseInterval);
            }

            Stash.UnstashAll();
        });
        Receive<RecoveryFailed>(f => throw new InvalidOperationException($"cannot read the agent journal {_settings.JournalPath}", f.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    private void BecomeUnregistered()
    {
        _forwarder.Tell(PauseForwarding.Instance);
        Timers.Cancel("heartbeat");
        Timers.StartPeriodicTimer("register", RegisterTick.Instance, TimeSpan.Zero, _settings.RegisterInterval);
        Become(Unregistered);
    }

    private void Unregistered()
    {
        Receive<RegisterTick>(_ => SendToMaster(new RegisterAgent(_settings.Name, _identity.JournalId, _identity.Incarnation, Self,
            _settings.ReconnectWindow, _settings.KillGrace, _settings.Labels, _roundTrips.Send(Now))));
        Receive<AgentRegistered>(OnRegistered);
        Receive<AgentRegistrationRefused>(r =>
        {
            if (r.Incarnation == _identity.Incarnation)
            {
                _lastMasterContact = Now; // a master answers: no reason to look for another
                _log.Error("The Master refused agent {AgentName}: {Reason}", _settings.Name, r.Reason);
            }
        });
        Common();
    }

    private void Registered()
    {
        Receive<HeartbeatTick>(_ =>
        {
            if (Now - _lastMasterContact > _settings.UnreachableAfter)
            {
                _log.Warning("Master unreachable for {Silence}; registering again", Durations.Describe(Now - _lastMasterContact));
                AgentMetrics.MasterUnreachable(_settings.Name);
                BecomeUnregistered();
                return;
            }

            SendToMaster(new AgentHeartbeat(_settings.Name, _identity.JournalId, _identity.Incarnation, _roundTrips.Send(Now)));
        });
        Receive<AgentRegistered>(r =>
        {
            // A late copy of the registration answer: harmless unless it carries a newer epoch.
            if (r.Incarnation == _identity.Incarnation && r.Epoch > _epoch)
            {
                OnRegistered(r);
            }
        });
        Receive<RegisterAgain>(r =>
        {
            if (r.Incarnation == _identity.Incarnation)
            {
                _lastMasterContact = Now;
                _log.Info("The Master does not know this agent (it restarted?); registering again");
                BecomeUnregistered();
            }
        });
        Receive<StartTask>(s =>
        {
            // A start that waited in the socket while this process was frozen past its window must not run:
            // the Master may already have given the agent up.
            if (IsWindowPassed())
            {
                _log.Warning("Not starting task {TaskId}: no round trip with the Master for longer than the reconnect window", s.Spec.TaskId);
                return;
            }

            if (IsCurrent(s))
            {
                ToSupervisor(s.Spec.TaskId, s, starting: true);
            }
        });
        Receive<StopTask>(s => ForwardIfCurrent(s, s.TaskId));
        Receive<FetchTaskLog>(f => ForwardIfCurrent(f, f.TaskId));
        Receive<EventsAdopted>(a =>
        {
            if (IsCurrent(a))
            {
                _forwarder.Forward(a);
                if (a.JournalId == _identity.JournalId)
                {
                    _adoptedOffset = Math.Max(_adoptedOffset, a.Offset);
                }
            }
        });
        Receive<ReleaseTick>(_ => ProposeRelease());
        Receive<ReleaseConfirmed>(OnReleaseConfirmed);
        Common();
    }

    private void Common()
    {
        Receive<MasterHeartbeat>(h =>
        {
            if (IsCurrent(h))
            {
                _lastMasterContact = Now;
                Acknowledged(h.AckedSequence);
            }
        });
        Receive<LinkCheck>(_ => CheckLink());
        Receive<TaskReleased>(r => _journaled.Remove(r.TaskId));
        Receive<SupervisorIdle>(OnSupervisorIdle);
        Receive<SupervisorBusy>(OnSupervisorBusy);
        Receive<Terminated>(OnSupervisorStopped);
        // In every state: a plan that comes back after the agent went unregistered must still end the round.
        Receive<ReleasePlanned>(OnReleasePlanned);
        Receive<ThisActorSystemQuarantinedEvent>(q => RequestNewIncarnation($"the Master at {q.RemoteAddress} quarantined this actor system"));
        Receive<ShutdownAgent>(OnShutdown);
    }

    private List<IActorRef> TaskChildren() =>
        Context.GetChildren().Where(c => TaskSupervisorActor.TaskIdOf(c.Path.Name) is not null).ToList();

    private void OnRegistered(AgentRegistered registered)
    {
        if (registered.Incarnation != _identity.Incarnation || registered.Epoch < _epoch)
        {
            return;
        }

        _epoch = registered.Epoch;
        _lastMasterContact = Now;
        _runtime.QuarantineAfter = registered.QuarantineAfter;
        // Release needs the Master's cursor; an idle agent would otherwise wait for its next event to learn it.
        _adoptedOffset = Math.Max(_adoptedOffset, registered.AdoptedOffset);
        Acknowledged(registered.AckedSequence);
        _log.Info("Agent {AgentName} registered with master run {MasterRunId} (epoch {Epoch}); sending journal after offset {Offset}",
            _settings.Name, registered.MasterRunId, registered.Epoch, registered.AdoptedOffset);
        Timers.Cancel("register");
        Timers.StartPeriodicTimer("heartbeat", HeartbeatTick.Instance, TimeSpan.Zero, _settings.HeartbeatInterval);
        _forwarder.Tell(new ResumeForwarding(registered.AdoptedOffset));
        Become(Registered);
    }

    private bool IsCurrent(IAgentCommand command)
    {
        if (command.Epoch < _epoch)
        {
            _log.Debug("Ignoring {Command} of old epoch {Epoch} (current {Current})", command.GetType().Name, command.Epoch, _epoch);
            return false;
        }

        return true;
    }

    private void ForwardIfCurrent(IAgentCommand command, string taskId)
    {
        if (IsCurrent(command))
        {
            ToSupervisor(taskId, command);
        }
    }

    /// <summary>
    /// Graceful stop: kill every running task (reason "agent stopped"), wait until each is journaled final,
    /// then let the forwarder hand the events to the Master for a short while.
    /// </summary>
    private void OnShutdown(ShutdownAgent shutdown)
    {
        var replyTo = Sender;
        var children = TaskChildren();
        var timeout = _settings.KillGrace + TimeSpan.FromSeconds(5);
        var settled = children.Select(c => SupervisorSettlement.SettledAsync(c, new KillForShutdown("agent stopped"), timeout));
        Task.WhenAll(settled)
            .ContinueWith(_ => Task.Delay(shutdown.FlushTime))
            .Unwrap()
            .PipeTo(replyTo, success: () => Done.Instance, failure: _ => Done.Instance);
    }

    private void SendToMaster(object message) => _masterClient.Tell(new ClusterClient.Send(SchedulerPaths.SchedulerService, message));

    private sealed record Recovered(HashSet<string> OpenTasks, HashSet<string> Journaled) : INoSerializationVerificationNeeded;

    private sealed record RecoveryFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed class RegisterTick : INoSerializationVerificationNeeded
    {
        public static RegisterTick Instance { get; } = new();
    }

    private sealed class HeartbeatTick : INoSerializationVerificationNeeded
    {
        public static HeartbeatTick Instance { get; } = new();
    }

    private sealed class LinkCheck : INoSerializationVerificationNeeded
    {
        public static LinkCheck Instance { get; } = new();
    }
}

/// <summary>Kill all running tasks and flush their events; answered with <see cref="Done"/>.</summary>
public sealed record ShutdownAgent(TimeSpan FlushTime) : INoSerializationVerificationNeeded;
