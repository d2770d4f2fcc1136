using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;

namespace Scheduler.Client;

/// <summary>
/// The event feed for code that is itself an actor: tells each <see cref="FeedEvent"/> after the start offset to a
/// target actor, one at a time, and tells the next only when the target answered <see cref="FeedEventProcessed"/> with
/// that event's offset — a slow target slows the feed down instead of filling its mailbox. Pages through the Master
/// over the given ClusterClient with long polls, asks again when an answer is lost, and waits out a Master that is
/// unreachable, handing over or without its database. Any other refusal is told to the target as
/// <see cref="FeedSubscriptionFailed"/>, and the subscriber stops. Stop it to unsubscribe.
/// </summary>
public sealed class FeedSubscriber : ReceiveActor, IWithTimers
{
    private readonly IActorRef _clusterClient;
    private readonly IActorRef _target;
    private readonly TimeSpan _requestTimeout;
    private readonly string _subscription = Guid.NewGuid().ToString("N");
    private readonly Queue<FeedEvent> _page = new();
    private EventOffset _after;
    private bool _asking;

    public FeedSubscriber(IActorRef clusterClient, IActorRef target, EventOffset after, TimeSpan requestTimeout)
    {
        _clusterClient = clusterClient;
        _target = target;
        _after = after;
        _requestTimeout = requestTimeout;
        Receive<FeedPage>(OnPage);
        Receive<FeedEventProcessed>(OnProcessed);
        Receive<RequestFailed>(OnFailed);
        Receive<AskAgain>(_ => Ask());
    }

    /// <param name="clusterClient">A ClusterClient of this ActorSystem whose initial contacts are the masters' receptionists.</param>
    /// <param name="target">Gets the events; answers each with <see cref="FeedEventProcessed"/>.</param>
    /// <param name="after">The offset of the last event already processed (<see cref="EventOffset.Start"/>: all).</param>
    /// <param name="requestTimeout">How long one page may take before it is asked for again (the long poll is half of it).</param>
    public static Props Props(IActorRef clusterClient, IActorRef target, EventOffset after = default, TimeSpan? requestTimeout = null) =>
        Akka.Actor.Props.Create(() => new FeedSubscriber(clusterClient, target, after, requestTimeout ?? TimeSpan.FromSeconds(5)));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Ask();

    private void Ask()
    {
        _asking = true;
        var wait = TimeSpan.FromTicks(Math.Min(_requestTimeout.Ticks / 2, ReadFeed.MaxWait.Ticks));
        var read = new ReadFeed(_subscription, _after, SchedulerClient.FeedPageEvents, wait);
        _clusterClient.Tell(new ClusterClient.Send(SchedulerPaths.SchedulerService, read, localAffinity: false));
        Timers.StartSingleTimer("again", AskAgain.Instance, _requestTimeout);
    }

    private void OnPage(FeedPage page)
    {
        // A late answer to an earlier ask, or one for a page already being delivered, is not this one.
        if (!_asking || (page.Events.Count > 0 ? page.Events[0].Offset <= _after : page.Last != _after))
        {
            return;
        }

        _asking = false;
        Timers.Cancel("again");
        foreach (var e in page.Events)
        {
            _page.Enqueue(e);
        }

        DeliverOrAsk();
    }

    private void OnProcessed(FeedEventProcessed processed)
    {
        if (_page.TryPeek(out var e) && e.Offset == processed.Offset)
        {
            _after = _page.Dequeue().Offset;
            DeliverOrAsk();
        }
    }

    private void DeliverOrAsk()
    {
        if (_page.TryPeek(out var next))
        {
            _target.Tell(next);
        }
        else
        {
            Ask();
        }
    }

    private void OnFailed(RequestFailed failed)
    {
        if (!_asking)
        {
            return;
        }

        if (SchedulerClient.IsPassing(failed.Code))
        {
            Timers.StartSingleTimer("again", AskAgain.Instance, SchedulerClient.FeedRetryDelay);
            return;
        }

        _target.Tell(new FeedSubscriptionFailed(failed.Code, failed.Message));
        Context.Stop(Self);
    }

    private sealed class AskAgain : INoSerializationVerificationNeeded
    {
        public static AskAgain Instance { get; } = new();
    }
}

/// <summary>The target's answer to a <see cref="FeedEvent"/> from <see cref="FeedSubscriber"/>: it is processed, send the next.</summary>
public sealed record FeedEventProcessed(EventOffset Offset) : INoSerializationVerificationNeeded;

/// <summary>The Master refused the subscription (e.g. a negative offset); the <see cref="FeedSubscriber"/> stopped.</summary>
public sealed record FeedSubscriptionFailed(ErrorCode Code, string Message) : INoSerializationVerificationNeeded;
