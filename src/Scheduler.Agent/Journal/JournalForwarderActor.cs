using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Tools.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;

namespace Scheduler.Agent.Journal;

/// <summary>
/// Streams the agent's journal to the Master after the Master's adopted offset, in batches: up to
/// <see cref="MaxBatchesInFlight"/> are sent ahead of the Master's acknowledgements (<see cref="EventsAdopted"/>), so
/// reading, sending and the Master's persisting overlap. Replay after a reconnect and the live stream are the same code
/// path. The Master adopts a batch only when it continues exactly at its cursor, so a lost batch makes it ignore the ones
/// behind it; when no batch is acknowledged in time, forwarding starts again from the Master's cursor.
/// </summary>
public sealed class JournalForwarderActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Batches sent and not acknowledged yet, at most. One at a time, each batch waited for a whole round trip and the
    /// Master's write of the one before (the adoption benchmark, issue 8).
    /// </summary>
    public const int MaxBatchesInFlight = 4;

    /// <summary>
    /// The longest wait between two reports of an unchanged journal end. The report is repeated only in case one was
    /// lost (the Master couples the agent on it); every 3 s from every idle agent, it was a sixth of what an idle agent
    /// cost the master, so the wait doubles from the ack timeout up to this while the end stays the same.
    /// </summary>
    public static readonly TimeSpan MaxReportInterval = TimeSpan.FromMinutes(1);

    private readonly AgentSettings _settings;
    private readonly AgentIdentity _identity;
    private readonly IActorRef _masterClient;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskEventReader _reader;
    /// <summary>The Master's adopted offset as far as the batches in flight are concerned: the first of them starts here.</summary>
    private long _cursor;
    /// <summary>What the Master last answered: where an overdue window starts again.</summary>
    private long _lastAnswer;
    /// <summary>Where the next batch starts: the end of the last one sent.</summary>
    private long _sentTo;
    /// <summary>The ends of the batches sent and not acknowledged, oldest first.</summary>
    private readonly Queue<long> _inFlight = new();
    private bool _loading;
    /// <summary>Events were committed since the last read started: an empty read does not mean caught up.</summary>
    private bool _journaledSinceRead;
    private long _generation;
    /// <summary>The journal end last reported to the Master (null: none since forwarding resumed).</summary>
    private long? _reportedEnd;
    /// <summary>Report the end again at the next poll although it did not change (a report may have been lost).</summary>
    private bool _repeatDue;
    private TimeSpan _reportWait;

    public JournalForwarderActor(AgentSettings settings, AgentIdentity identity, IActorRef masterClient, TaskEventReader reader)
    {
        _settings = settings;
        _identity = identity;
        _masterClient = masterClient;
        _reader = reader;
        Paused();
    }

    public static Props Props(AgentSettings settings, AgentIdentity identity, IActorRef masterClient, TaskEventReader reader) =>
        Akka.Actor.Props.Create(() => new JournalForwarderActor(settings, identity, masterClient, reader));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(TaskEventsJournaled));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Paused()
    {
        Receive<ResumeForwarding>(Resume);
        Receive<PauseForwarding>(_ => { });
        Receive<TaskEventsJournaled>(_ => { });
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
            StartOver(_cursor);
            Timers.CancelAll();
            Become(Paused);
        });
        Receive<Poll>(p =>
        {
            if (p.Generation == _generation)
            {
                Load();
            }
        });
        Receive<TaskEventsJournaled>(_ =>
        {
            _journaledSinceRead = true;
            Load();
        });
        Receive<Loaded>(OnLoaded);
        Receive<EventsAdopted>(OnAdopted);
        Receive<ReportEndAgain>(_ =>
        {
            _repeatDue = true;
            RepeatReportAfter(NextReportWait(_reportWait));
        });
        Receive<AckTimedOut>(t =>
        {
            if (t.Generation == _generation && _inFlight.Count > 0)
            {
                _log.Debug("Batches up to {Offset} not acknowledged; sending again from {Cursor}", _sentTo, _lastAnswer);
                StartOver(_lastAnswer);
                Load();
            }
        });
    }

    private void Resume(ResumeForwarding resume)
    {
        StartOver(resume.FromOffset);
        _reportedEnd = null;
        _repeatDue = false;
        Timers.CancelAll();
        Become(Forwarding);
        Load();
    }

    /// <summary>Forgets what was sent: the next batch starts at <paramref name="offset"/>. A read under way is ignored when it ends.</summary>
    private void StartOver(long offset)
    {
        _generation++;
        _cursor = offset;
        _lastAnswer = offset;
        _sentTo = offset;
        _inFlight.Clear();
        _loading = false;
        Timers.Cancel("ack");
    }

    private void Load()
    {
        if (_loading || _inFlight.Count >= MaxBatchesInFlight)
        {
            return;
        }

        _loading = true;
        _journaledSinceRead = false;
        var (generation, after) = (_generation, _sentTo);
        Task.Run(() => _reader.ReadEncoded(after, _settings.ReplayBatchEvents, _settings.ReplayBatchBytes))
            .PipeTo(Self, success: events => new Loaded(generation, events), failure: e => new Loaded(generation, EncodedTaskEvents.Empty, e));
    }

    private void OnLoaded(Loaded loaded)
    {
        if (loaded.Generation != _generation)
        {
            return;
        }

        _loading = false;
        if (loaded.Failure is not null)
        {
            _log.Warning(loaded.Failure, "Reading the agent journal after offset {Offset} failed; retrying", _sentTo);
            SchedulePoll();
            return;
        }

        var batch = loaded.Events;
        if (batch.Count == 0)
        {
            // While batches are in flight their acknowledgements say more (and load again).
            if (_inFlight.Count == 0)
            {
                OnCaughtUp();
            }

            return;
        }

        var to = batch.LastOffset;
        _masterClient.Tell(Send(new AgentEventBatch(_settings.Name, _identity.JournalId, _identity.Incarnation, _sentTo, to, batch)));
        _inFlight.Enqueue(to);
        _sentTo = to;
        if (_inFlight.Count == 1)
        {
            Timers.StartSingleTimer("ack", new AckTimedOut(_generation), _settings.ReplayAckTimeout);
        }

        Load();
    }

    /// <summary>
    /// A read found nothing after the batches the Master adopted. Only a new end is reported at once (or a repeat that is
    /// due); polling an idle journal sends nothing to the Master.
    /// </summary>
    private void OnCaughtUp()
    {
        if (_reportedEnd != _cursor)
        {
            // A new end: a lost report of it is repeated soon, then less and less often.
            RepeatReportAfter(_settings.ReplayAckTimeout);
            ReportEnd();
        }
        else if (_repeatDue)
        {
            ReportEnd();
        }

        if (_journaledSinceRead)
        {
            Load(); // committed while this read ran: it may not have seen them
        }
        else
        {
            SchedulePoll();
        }
    }

    private void ReportEnd()
    {
        _reportedEnd = _cursor;
        _repeatDue = false;
        _masterClient.Tell(Send(new AgentCaughtUp(_settings.Name, _identity.JournalId, _identity.Incarnation, _cursor)));
    }

    private void OnAdopted(EventsAdopted adopted)
    {
        if (adopted.JournalId != _identity.JournalId)
        {
            return;
        }

        _lastAnswer = adopted.Offset;
        var confirmed = false;
        while (_inFlight.Count > 0 && _inFlight.Peek() <= adopted.Offset)
        {
            _inFlight.Dequeue();
            confirmed = true;
        }

        if (_inFlight.Count == 0 || (!confirmed && adopted.Offset > _cursor))
        {
            // Nothing (more) in flight, or the Master is past where our batches start but at none of their ends (an answer
            // to an earlier send, whose own answer was lost): none of them can be adopted. The Master's cursor is the truth.
            StartOver(adopted.Offset);
            Load();
        }
        else if (confirmed)
        {
            _cursor = adopted.Offset;
            Timers.StartSingleTimer("ack", new AckTimedOut(_generation), _settings.ReplayAckTimeout);
            Load();
        }

        // Otherwise the Master ignored a batch that did not continue at its cursor (the one before it was lost) or this
        // answer is late: the batches behind it are ignored too, and when the acknowledgement is overdue forwarding starts
        // again where the Master last said it is (not on every such answer, which would send the window again each time).
    }

    /// <summary>A report of the journal end may be lost like any message: it is repeated after <paramref name="wait"/>.</summary>
    private void RepeatReportAfter(TimeSpan wait)
    {
        _reportWait = wait;
        Timers.StartSingleTimer("report-end", ReportEndAgain.Instance, wait);
    }

    /// <summary>The wait before the next repeat of an unchanged end: twice the last, at most <see cref="MaxReportInterval"/>.</summary>
    public static TimeSpan NextReportWait(TimeSpan wait) => wait * 2 < MaxReportInterval ? wait * 2 : MaxReportInterval;

    private void SchedulePoll() => Timers.StartSingleTimer("poll", new Poll(_generation), _settings.ReplayPollInterval);

    private static ClusterClient.Send Send(object message) => new(SchedulerPaths.SchedulerService, message);

    private sealed record Loaded(long Generation, EncodedTaskEvents Events, Exception? Failure = null) : INoSerializationVerificationNeeded;

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
