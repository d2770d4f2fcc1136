using Akka.Actor;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;

namespace Scheduler.Master.Feed;

/// <summary>
/// Serves the integrators' event feed (child <c>feed</c> of the scheduler): one <see cref="FeedReaderActor"/> per
/// subscription, which reads the journal off the scheduler's thread and keeps its place between pages. At most
/// <see cref="MaxReaders"/> readers: a new subscription stops the one unused longest (its subscriber, if still there,
/// gets a new reader on its next page, which starts from the offset it asks for).
/// </summary>
public sealed class EventFeedActor : ReceiveActor
{
    public const int MaxReaders = 64;
    private const int MaxSubscriptionLength = 200;

    private readonly Dictionary<string, Reader> _readers = new(StringComparer.Ordinal);
    private long _serial;
    private long _lastSequenceNr;

    public EventFeedActor()
    {
        Receive<ReadFeed>(OnRead);
        Receive<ReaderBehind>(OnBehind);
        Receive<JournalAdvanced>(OnAdvanced);
        Receive<Terminated>(t =>
        {
            foreach (var (subscription, _) in _readers.Where(r => r.Value.Actor.Equals(t.ActorRef)).ToList())
            {
                _readers.Remove(subscription);
            }
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new EventFeedActor());

    private void OnRead(ReadFeed read)
    {
        if (Problem(read) is { } problem)
        {
            Sender.Tell(new RequestFailed(ErrorCode.InvalidRequest, problem));
            return;
        }

        if (!_readers.TryGetValue(read.Subscription, out var reader))
        {
            reader = Start(read.Subscription, read.After);
        }

        _readers[read.Subscription] = reader with { LastUsed = ++_serial };
        reader.Actor.Forward(read);
    }

    /// <summary>The subscriber went back before what its reader let go: a new reader starts from there.</summary>
    private void OnBehind(ReaderBehind behind)
    {
        var subscription = behind.Request.Subscription;
        if (_readers.TryGetValue(subscription, out var old) && old.Actor.Equals(Sender))
        {
            _readers.Remove(subscription);
        }

        var reader = Start(subscription, behind.Request.After);
        _readers[subscription] = reader;
        reader.Actor.Tell(behind.Request, behind.ReplyTo);
    }

    private void OnAdvanced(JournalAdvanced advanced)
    {
        _lastSequenceNr = Math.Max(_lastSequenceNr, advanced.SequenceNr);
        foreach (var reader in _readers.Values)
        {
            reader.Actor.Tell(advanced);
        }
    }

    private Reader Start(string subscription, EventOffset after)
    {
        if (_readers.Count >= MaxReaders)
        {
            var (oldest, unused) = _readers.MinBy(r => r.Value.LastUsed);
            _readers.Remove(oldest);
            Context.Stop(unused.Actor);
        }

        var actor = Context.ActorOf(FeedReaderActor.Props(after, _lastSequenceNr), $"reader-{++_serial}");
        Context.Watch(actor);
        return new Reader(actor, _serial);
    }

    private static string? Problem(ReadFeed read) =>
        string.IsNullOrWhiteSpace(read.Subscription) || read.Subscription.Length > MaxSubscriptionLength
            ? $"a subscription id of 1 to {MaxSubscriptionLength} characters is needed"
            : read.MaxEvents is < 1 or > ReadFeed.MaxPageEvents
                ? $"max events must be 1 to {ReadFeed.MaxPageEvents}, not {read.MaxEvents}"
                : read.Wait < TimeSpan.Zero || read.Wait > ReadFeed.MaxWait
                    ? $"the wait must be 0 to {ReadFeed.MaxWait.TotalSeconds:0}s, not {read.Wait}"
                    : read.After.Sequence < 0 || read.After.Index < 0
                        ? $"offset {read.After} is negative"
                        : null;

    private sealed record Reader(IActorRef Actor, long LastUsed);
}

/// <summary>The scheduler persisted its journal up to <paramref name="SequenceNr"/>: readers waiting for new events read on.</summary>
internal sealed record JournalAdvanced(long SequenceNr) : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout;

/// <summary>A reader was asked for events before those it already let go; it stopped, and a new one serves the request.</summary>
internal sealed record ReaderBehind(ReadFeed Request, IActorRef ReplyTo) : INoSerializationVerificationNeeded;
