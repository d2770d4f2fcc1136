using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// The agent (path <c>/user/agent</c>): registers with the Master through ClusterClient, exchanges
/// heartbeats, streams its journal, and runs the Master's commands through one
/// <see cref="TaskSupervisorActor"/> per task. Commands of an epoch older than the newest seen are ignored.
/// </summary>
public sealed class AgentActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly AgentSettings _settings;
    private readonly AgentIdentity _identity;
    private readonly ProcessTable _processes;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _clusterClient;
    private readonly IActorRef _forwarder;
    private long _epoch;
    private long _heartbeatSequence;
    private DateTimeOffset _lastMasterContact;

    public AgentActor(AgentSettings settings, AgentIdentity identity, ProcessTable processes, TimeProvider time)
    {
        _settings = settings;
        _identity = identity;
        _processes = processes;
        _time = time;
        var contacts = settings.Masters
            .Select(m => ActorPath.Parse(Core.Configuration.HostPort.TryParse(m, out var hp) ? hp.ReceptionistPath(SchedulerPaths.SystemName) : m))
            .ToImmutableHashSet();
        _clusterClient = Context.ActorOf(
            ClusterClient.Props(ClusterClientSettings.Create(Context.System).WithInitialContacts(contacts)),
            "master-client");
        _forwarder = Context.ActorOf(JournalForwarderActor.Props(settings, identity, _clusterClient), "journal-forwarder");
        Recovering();
    }

    public static Props Props(AgentSettings settings, AgentIdentity identity, ProcessTable processes, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new AgentActor(settings, identity, processes, time));

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    protected override void PreStart()
    {
        // Re-create the supervisors of tasks the journal does not show final, so that after an agent
        // restart each one finds its orphan (or re-attaches to its still running process).
        var materializer = Context.Materializer();
        PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByTag(SchedulerPaths.TaskEventTag, Offset.NoOffset())
            .Where(e => e.Event is ITaskEvent)
            .Select(e => (ITaskEvent)e.Event)
            .RunAggregate(new HashSet<string>(), OpenTasks.Fold, materializer)
            .PipeTo(Self, success: open => new Recovered(open), failure: e => new RecoveryFailed(e));
    }

    private void Recovering()
    {
        Receive<Recovered>(r =>
        {
            foreach (var taskId in r.OpenTasks)
            {
                Supervisor(taskId);
            }

            _log.Info("Agent {AgentName} started (journal {JournalId}, incarnation {Incarnation}); {Count} unfinished task(s) in its journal",
                _settings.Name, _identity.JournalId, _identity.Incarnation, r.OpenTasks.Count);
            BecomeUnregistered();
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
        Receive<RegisterTick>(_ => SendToMaster(new RegisterAgent(
            _settings.Name, _identity.JournalId, _identity.Incarnation, Self, _settings.ReconnectWindow, _settings.KillGrace, _settings.Labels)));
        Receive<AgentRegistered>(OnRegistered);
        Receive<AgentRegistrationRefused>(r =>
        {
            if (r.Incarnation == _identity.Incarnation)
            {
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
                _log.Warning("Master unreachable for {Silence}; registering again", Now - _lastMasterContact);
                BecomeUnregistered();
                return;
            }

            SendToMaster(new AgentHeartbeat(_settings.Name, _identity.JournalId, _identity.Incarnation, ++_heartbeatSequence));
        });
        Receive<MasterHeartbeat>(h =>
        {
            if (IsCurrent(h))
            {
                _lastMasterContact = Now;
            }
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
                _log.Info("The Master does not know this agent (it restarted?); registering again");
                BecomeUnregistered();
            }
        });
        Receive<StartTask>(s => ForwardIfCurrent(s, s.Spec.TaskId));
        Receive<StopTask>(s => ForwardIfCurrent(s, s.TaskId));
        Receive<FetchTaskLog>(f => ForwardIfCurrent(f, f.TaskId));
        Receive<EventsAdopted>(a =>
        {
            if (IsCurrent(a))
            {
                _forwarder.Forward(a);
            }
        });
        Common();
    }

    private void Common()
    {
        Receive<ShutdownAgent>(OnShutdown);
    }

    private void OnRegistered(AgentRegistered registered)
    {
        if (registered.Incarnation != _identity.Incarnation || registered.Epoch < _epoch)
        {
            return;
        }

        _epoch = registered.Epoch;
        _lastMasterContact = Now;
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
            Supervisor(taskId).Forward(command);
        }
    }

    private IActorRef Supervisor(string taskId)
    {
        var name = TaskSupervisorActor.ActorNameOf(taskId);
        var child = Context.Child(name);
        return child.IsNobody()
            ? Context.ActorOf(TaskSupervisorActor.Props(taskId, _settings.Name, _settings, _processes, _time), name)
            : child;
    }

    /// <summary>
    /// Graceful stop: kill every running task (reason "agent stopped"), wait until each is journaled final,
    /// then let the forwarder hand the events to the Master for a short while.
    /// </summary>
    private void OnShutdown(ShutdownAgent shutdown)
    {
        var replyTo = Sender;
        var children = Context.GetChildren().Where(c => c.Path.Name.StartsWith("task-", StringComparison.Ordinal)).ToList();
        var timeout = _settings.KillGrace + TimeSpan.FromSeconds(5);
        var settled = children.Select(c => c.Ask<TaskSettled>(new KillForShutdown("agent stopped"), timeout));
        Task.WhenAll(settled)
            .ContinueWith(_ => Task.Delay(shutdown.FlushTime))
            .Unwrap()
            .PipeTo(replyTo, success: () => Done.Instance, failure: _ => Done.Instance);
    }

    private void SendToMaster(object message) => _clusterClient.Tell(new ClusterClient.Send(SchedulerPaths.SchedulerService, message));

    private sealed record Recovered(HashSet<string> OpenTasks) : INoSerializationVerificationNeeded;

    private sealed record RecoveryFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed class RegisterTick : INoSerializationVerificationNeeded
    {
        public static RegisterTick Instance { get; } = new();
    }

    private sealed class HeartbeatTick : INoSerializationVerificationNeeded
    {
        public static HeartbeatTick Instance { get; } = new();
    }
}

/// <summary>Kill all running tasks and flush their events; answered with <see cref="Done"/>.</summary>
public sealed record ShutdownAgent(TimeSpan FlushTime) : INoSerializationVerificationNeeded;
