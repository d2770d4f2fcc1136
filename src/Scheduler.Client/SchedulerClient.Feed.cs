using System.Runtime.CompilerServices;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;

namespace Scheduler.Client;

/// <summary>The event feed: task and agent events, resumable from an offset (docs/integrator-guide.md).</summary>
public sealed partial class SchedulerClient
{
    /// <summary>Events asked for per page; the Master also keeps each page below the transport's frame size.</summary>
    public const int FeedPageEvents = 1_000;

    /// <summary>How long to wait before asking again after the Master was unreachable or unavailable.</summary>
    public static readonly TimeSpan FeedRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Every feed event after <paramref name="after"/> (default: from the first), in order, each exactly once. With
    /// <paramref name="follow"/> it goes on with new events as the Master records them (long polls, no busy polling)
    /// until <paramref name="cancellationToken"/> is cancelled; without, it ends where the journal ends. A Master that is
    /// unreachable, handing over or without its database is waited for (asked again every <see cref="FeedRetryDelay"/>):
    /// the feed continues where it was, on whichever master serves. Store the <see cref="FeedEvent.Offset"/> of each
    /// event once processed and pass it as <paramref name="after"/> to resume after a restart of your own.
    /// </summary>
    /// <exception cref="SchedulerException">The Master refused the request (e.g. a negative offset).</exception>
    public async IAsyncEnumerable<FeedEvent> EventsAsync(
        EventOffset after = default,
        bool follow = true,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscription = Guid.NewGuid().ToString("N");
        while (true)
        {
            var page = await ReadFeedPageAsync(subscription, after, follow, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                yield return e;
            }

            after = page.Last;
            if (!follow && page.AtEnd)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// One page of the feed after <paramref name="after"/>: what <see cref="EventsAsync"/> is made of, for callers that
    /// page themselves. <paramref name="wait"/> (at most <see cref="ReadFeed.MaxWait"/>) holds the request at the Master
    /// until an event is recorded; keep it below <see cref="SchedulerClientOptions.RequestTimeout"/>.
    /// </summary>
    public Task<FeedPage> ReadFeedAsync(
        string subscription,
        EventOffset after,
        int maxEvents = FeedPageEvents,
        TimeSpan wait = default,
        CancellationToken cancellationToken = default) =>
        RequestAsync<FeedPage>(new ReadFeed(subscription, after, maxEvents, wait), cancellationToken);

    /// <summary>The long poll: half the request timeout, so the answer is back well before the request times out.</summary>
    public TimeSpan FeedWait => TimeSpan.FromTicks(Math.Min(_options.RequestTimeout.Ticks / 2, ReadFeed.MaxWait.Ticks));

    private async Task<FeedPage> ReadFeedPageAsync(string subscription, EventOffset after, bool follow, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await ReadFeedAsync(subscription, after, FeedPageEvents, follow ? FeedWait : TimeSpan.Zero, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (SchedulerException e) when (IsPassing(e.Code))
            {
                await Task.Delay(FeedRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Errors that pass by themselves: no master reachable (or handing over), its database down.</summary>
    internal static bool IsPassing(ErrorCode code) => code is ErrorCode.Unavailable or ErrorCode.DatabaseUnavailable;
}
