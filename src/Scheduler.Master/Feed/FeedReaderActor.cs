using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Journal;
using Scheduler.Core.Feed;
using Scheduler.Core.Scheduling;

namespace Scheduler.Master.Feed;

/// <summary>
/// One subscription's reader of the event feed. It rebuilds the scheduler's state just before the first offset it
/// serves — from the newest snapshot at or before that point, then the journal's events — and from there folds the
/// journal event by event through <see cref="EventFeed.Derive"/>, so its offsets are those of every other reader on
/// every master. It reads through the journal's replay protocol, <see cref="JournalEventsPerRead"/> events at a time and
/// only when its subscriber asks for more than it holds: a slow subscriber costs one page of memory, not a backlog.
/// An event stays held until the subscriber asks after it, so a page whose answer was lost is served again.
/// </summary>
public sealed class FeedReaderActor : ReceiveActor, IWithTimers
{
    /// <summary>Journal events per read: an adopted batch is below 120 KB, so a read stays within a few megabytes.</summary>
    public const int JournalEventsPerRead = 100;

    /// <summary>A reader nobody asked for this long stops; a subscriber coming back later gets a new one.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly EventOffset _start;
    private readonly IActorRef _journal;
    private readonly List<FeedEvent> _held = [];
    private SchedulerState _state = SchedulerState.Empty;
    private EventOffset _floor;
    private long _folded;
    private long _journalEnd;
    private bool _reading = true;
    private Pending? _pending;
    private long _requests;

    public FeedReaderActor(EventOffset start, long journalEnd)
    {
        _start = _floor = start;
        _journalEnd = journalEnd;
        var persistence = Persistence.Instance.Apply(Context.System);
        _journal = persistence.JournalFor(null);
        if (start.Sequence > 1)
        {
            persistence.SnapshotStoreFor(null).Tell(new LoadSnapshot(SchedulerActor.JournalPersistenceId,
                new SnapshotSelectionCriteria(start.Sequence - 1), start.Sequence - 1));
        }
        else
        {
            ReadOn();
        }

        Receive<LoadSnapshotResult>(OnSnapshot);
        Receive<LoadSnapshotFailed>(f =>
        {
            _log.Warning("Event feed: the snapshot could not be read ({Error}); reading the journal from its start", f.Cause.GetBaseException().Message);
            ReadOn();
        });
        Receive<ReplayedMessage>(m => Fold(m.Persistent));
        Receive<RecoverySuccess>(OnReadDone);
        Receive<ReplayMessagesFailure>(OnReadFailed);
        Receive<ReadFeed>(OnRequest);
        Receive<JournalAdvanced>(OnAdvanced);
        Receive<WaitOver>(w =>
        {
            if (_pending?.Id == w.RequestId)
            {
                Answer([]);
            }
        });
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
    }

    public static Props Props(EventOffset start, long journalEnd) => Akka.Actor.Props.Create(() => new FeedReaderActor(start, journalEnd));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Context.SetReceiveTimeout(IdleAfter);

    private void OnSnapshot(LoadSnapshotResult result)
    {
        if (result.Snapshot is { } selected)
        {
            try
            {
                _state = SchedulerActor.ReadSnapshot(selected.Snapshot, selected.Metadata.SequenceNr);
                _folded = selected.Metadata.SequenceNr;
            }
            catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException or InvalidCastException)
            {
                _log.Warning("Event feed: the snapshot cannot be read ({Error}); reading the journal from its start", e.Message);
            }
        }

        ReadOn();
    }

    private void ReadOn()
    {
        _reading = true;
        _journal.Tell(new ReplayMessages(_folded + 1, long.MaxValue, JournalEventsPerRead, SchedulerActor.JournalPersistenceId, Self));
    }

    /// <summary>Before the first offset served the state is only rebuilt; from there on each event's feed events are held.</summary>
    private void Fold(IPersistentRepresentation persistent)
    {
        if (persistent.SequenceNr <= _folded)
        {
            return;
        }

        _folded = persistent.SequenceNr;
        if (persistent.Payload is not IMasterEvent e)
        {
            return;
        }

        if (_folded < _start.Sequence)
        {
            _state = _state.Apply(e);
            return;
        }

        (_state, var events) = EventFeed.Derive(_state, e, _folded);
        _held.AddRange(events.Where(f => f.Offset > _floor));
    }

    private void OnReadDone(RecoverySuccess done)
    {
        _reading = false;
        _journalEnd = Math.Max(_journalEnd, done.HighestSequenceNr);
        Serve();
    }

    private void OnReadFailed(ReplayMessagesFailure failure)
    {
        _reading = false;
        _log.Warning("Event feed: reading the journal after event {SequenceNr} failed: {Error}", _folded, failure.Cause.GetBaseException().Message);
        if (_pending is { } pending)
        {
            _pending = null;
            pending.ReplyTo.Tell(new RequestFailed(ErrorCode.Unavailable, $"reading the journal failed: {failure.Cause.GetBaseException().Message}"));
        }
    }

    private void OnRequest(ReadFeed request)
    {
        if (request.After < _floor)
        {
            Context.Parent.Tell(new ReaderBehind(request, Sender));
            Context.Stop(Self);
            return;
        }

        _floor = request.After;
        _held.RemoveAll(e => e.Offset <= _floor);
        _pending = new Pending(request, Sender, ++_requests);
        Timers.Cancel("wait");
        if (request.Wait > TimeSpan.Zero)
        {
            Timers.StartSingleTimer("wait", new WaitOver(_requests), request.Wait);
        }

        if (_held.Count == 0 && !_reading)
        {
            // Also when the journal seemed read to its end: a new request always looks once more.
            ReadOn();
            return;
        }

        Serve();
    }

    private void OnAdvanced(JournalAdvanced advanced)
    {
        _journalEnd = Math.Max(_journalEnd, advanced.SequenceNr);
        if (_pending is not null && !_reading && _held.Count == 0 && _folded < _journalEnd)
        {
            ReadOn();
        }
    }

    /// <summary>Answers the waiting request when there are events; reads on while there are none and the journal has more.</summary>
    private void Serve()
    {
        if (_pending is not { } pending || _reading)
        {
            return;
        }

        if (_held.Count > 0)
        {
            var (page, _) = FrameBudget.Take(_held.Take(pending.Request.MaxEvents).ToList());
            Answer(page.Count > 0 ? page : [_held[0]]);
        }
        else if (_folded < _journalEnd)
        {
            ReadOn();
        }
        else if (pending.Request.Wait <= TimeSpan.Zero)
        {
            Answer([]);
        }
    }

    private void Answer(IReadOnlyList<FeedEvent> events)
    {
        var pending = _pending!;
        _pending = null;
        Timers.Cancel("wait");
        var last = events.Count > 0 ? events[^1].Offset : pending.Request.After;
        var atEnd = events.Count == _held.Count && _folded >= _journalEnd;
        pending.ReplyTo.Tell(new FeedPage(events, last, atEnd));
    }

    private sealed record Pending(ReadFeed Request, IActorRef ReplyTo, long Id);

    private sealed record WaitOver(long RequestId) : INoSerializationVerificationNeeded;
}
