using Scheduler.Contracts.Client;

namespace Scheduler.Contracts.Feed;

/// <summary>
/// A page of the event feed: the events after <paramref name="After"/>, at most <paramref name="MaxEvents"/> and
/// below the frame size. When there are none yet the Master holds the request up to <paramref name="Wait"/> (a long
/// poll) and answers as soon as one is recorded, or with an empty page. Answered by <see cref="FeedPage"/>.
/// The Master keeps a reader per <paramref name="Subscription"/> (any id the subscriber chooses, e.g. a GUID) that
/// holds its place between pages, so ask page after page with one id; asking again for the same
/// <paramref name="After"/> (a lost answer) is answered again, and any offset is accepted at any time (a new reader
/// starts from there).
/// </summary>
public sealed record ReadFeed(string Subscription, EventOffset After, int MaxEvents, TimeSpan Wait) : IClientRequest
{
    /// <summary>The most events one page carries.</summary>
    public const int MaxPageEvents = 10_000;

    /// <summary>The longest the Master holds a request for new events.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Feed events, oldest first. <paramref name="Last"/>: the offset to ask after next — the page's last event, or the
/// request's offset for an empty page. <paramref name="AtEnd"/>: nothing more was recorded when the page was read.
/// </summary>
public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, EventOffset Last, bool AtEnd) : ISchedulerMessage;
