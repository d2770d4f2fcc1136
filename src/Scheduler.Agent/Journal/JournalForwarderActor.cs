using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Tools.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;

namespace Scheduler.Agent.Journal;

/// <summary>
/// Streams the agent's journal to the Master after the Master's adopted offset, one batch at a time:
/// a batch is sent, then the next one only after the Master acknowledged it (<see cref="EventsAdopted"/>).
/// Replay after a reconnect and the live stream are the same code path. A batch that is not
/// acknowledged in time is sent again; the Master adopts a batch only once.
/// </summary>
public sealed class JournalForwarderActor : ReceiveActor, IWithTimers
{
    private readonly AgentSettings _settings;
    private readonly AgentIdentity _identity;
    private readonly IActorRef _clusterClient;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskEventReader _reader;
    private long _cursor;
    private long _generation;
    private long? _inFlightTo;
    private long? _reportedEnd;

    public JournalForwarderActor(AgentSettings settings, AgentIdentity identity, IActorRef clusterClient, TaskEventReader reader)
    {
        _settings = settings;
        _identity = identity;
        _clusterClient = clusterClient;
        _reader = reader;
        Paused();
    }

    public static Props Props(AgentSettings settings, AgentIdentity identity, IActorRef clusterClient, TaskEventReader reader) =>
        Akka.Actor.Props.Create(() => new JournalForwarderActor(settings, identity, clusterClient, reader));

    public ITimerScheduler Timers { get; set; } = null!;

    private void Paused()
    {
        Receive<ResumeForwarding>(Resume);
        Receive<PauseForwarding>(_ => { });
        Receive<EventsAdopted>(_ => { });
        Receive<Loaded>(_ => { });
        Receive<Poll>(_ => { });
        Receive<ReportEndAgain>(_ => { });
    }

    private void Forwarding()
    {
        Receive<ResumeForwarding>(Resume);
        Receive<PauseForwarding>(_ =>
        {
            _generation++;
            _inFlightTo = null;
            Timers.CancelAll();
            Become(Paused);
        });
        Receive<Poll>(p =>
        {
            if (p.Generation == _generation && _inFlightTo is null)
            {
                Load();
            }
        });
        Receive<Loaded>(OnLoaded);
        Receive<EventsAdopted>(OnAdopted);
        Receive<ReportEndAgain>(_ => _reportedEnd = null);
        Receive<AckTimedOut>(t =>
        {
            if (t.Generation == _generation && _inFlightTo is not null)
            {
                _log.Debug("Batch up to {Offset} not acknowledged; sending again from {Cursor}", _inFlightTo, _cursor);
                _inFlightTo = null;
                Load();
            }
        });
    }

    private void Resume(ResumeForwarding resume)
    {
        _generation++;
        _cursor = resume.FromOffset;
        _inFlightTo = null;
        _reportedEnd = null;
        Timers.CancelAll();
        // A report of the journal end may be lost like any message; it is repeated now and then.
        Timers.StartPeriodicTimer("report-end", ReportEndAgain.Instance, _settings.ReplayAckTimeout);
        Become(Forwarding);
        Load();
    }

    private void Load()
    {
        var (generation, cursor) = (_generation, _cursor);
        Task.Run(() => _reader.Read(cursor, _settings.ReplayBatchEvents, _settings.ReplayBatchBytes))
            .PipeTo(Self, success: events => new Loaded(generation, events), failure: e => new Loaded(generation, [], e));
    }

    private void OnLoaded(Loaded loaded)
    {
        if (loaded.Generation != _generation || _inFlightTo is not null)
        {
            return;
        }

        if (loaded.Failure is not null)
        {
            _log.Warning(loaded.Failure, "Reading the agent journal after offset {Offset} failed; retrying", _cursor);
            SchedulePoll();
            return;
        }

        var batch = loaded.Events;
        if (batch.Count == 0)
        {
            // Only a new end is reported at once; polling an idle journal sends nothing to the Master.
            if (_reportedEnd != _cursor)
            {
                _reportedEnd = _cursor;
                _clusterClient.Tell(Send(new AgentCaughtUp(_settings.Name, _identity.JournalId, _identity.Incarnation, _cursor)));
            }

            SchedulePoll();
            return;
        }

        var to = batch[^1].Offset;
        _inFlightTo = to;
        _clusterClient.Tell(Send(new AgentEventBatch(_settings.Name, _identity.JournalId, _identity.Incarnation, _cursor, to, batch)));
        Timers.StartSingleTimer("ack", new AckTimedOut(_generation), _settings.ReplayAckTimeout);
    }

    private void OnAdopted(EventsAdopted adopted)
    {
        if (adopted.JournalId != _identity.JournalId)
        {
            return;
        }

        // The Master's cursor is the truth: continue from it, whether it is the end of our batch or not.
        _inFlightTo = null;
        Timers.Cancel("ack");
        _cursor = adopted.Offset;
        Load();
    }

    private void SchedulePoll() => Timers.StartSingleTimer("poll", new Poll(_generation), _settings.ReplayPollInterval);

    private static ClusterClient.Send Send(object message) => new(SchedulerPaths.SchedulerService, message);

    private sealed record Loaded(long Generation, IReadOnlyList<JournaledTaskEvent> Events, Exception? Failure = null) : INoSerializationVerificationNeeded;

    private sealed record Poll(long Generation) : INoSerializationVerificationNeeded;

    private sealed record AckTimedOut(long Generation) : INoSerializationVerificationNeeded;

    private sealed class ReportEndAgain : INoSerializationVerificationNeeded
    {
        public static ReportEndAgain Instance { get; } = new();
    }
}

/// <summary>Start (or restart) forwarding after <paramref name="FromOffset"/>, the Master's adopted offset.</summary>
public sealed record ResumeForwarding(long FromOffset) : INoSerializationVerificationNeeded;

/// <summary>Stop forwarding (the Master is unreachable); nothing is lost, the next resume starts from the Master's cursor.</summary>
public sealed record PauseForwarding : INoSerializationVerificationNeeded
{
    public static PauseForwarding Instance { get; } = new();
}
