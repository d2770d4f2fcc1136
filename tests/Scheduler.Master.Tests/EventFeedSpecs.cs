using Scheduler.Client;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Tasks;
using Scheduler.Master.Tests.Support;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The integrators' event feed through <see cref="SchedulerClient"/>, on a real Master and agent: events in order,
/// resumed from any offset, the same offsets after a restart, backlogs in pages. Snapshots every 10 events (the least allowed), so readers
/// that start mid-journal rebuild the state from a snapshot, as they do in production from every 1000th event.
/// </summary>
public sealed class EventFeedSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private TestCluster _cluster = null!;
    private SchedulerClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartWithAsync("scheduler.master.snapshot-every = 10", partitionable: false, "a1");
        _client = await _cluster.ConnectClientAsync();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    /// <summary>The feed from <paramref name="after"/> to the journal's end, as it is now.</summary>
    private async Task<List<FeedEvent>> ReadToEndAsync(EventOffset after = default)
    {
        using var deadline = new CancellationTokenSource(Patience);
        var events = new List<FeedEvent>();
        await foreach (var e in _client.EventsAsync(after, follow: false, deadline.Token))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Follows the feed live until <paramref name="until"/> holds for an event; all events up to it.</summary>
    private async Task<List<FeedEvent>> FollowAsync(IAsyncEnumerator<FeedEvent> feed, Func<FeedEvent, bool> until)
    {
        var events = new List<FeedEvent>();
        while (await feed.MoveNextAsync())
        {
            events.Add(feed.Current);
            if (until(feed.Current))
            {
                return events;
            }
        }

        throw new InvalidOperationException("the feed ended");
    }

    private static bool IsFinal(FeedEvent e, string taskId) => e is TaskStateChanged t && t.TaskId == taskId && t.State.IsFinal();

    private static void AssertIncreasing(IReadOnlyList<FeedEvent> events) =>
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.Item1.Offset < pair.Item2.Offset, $"{pair.Item1.Offset} then {pair.Item2.Offset}"));

    [Fact]
    public async Task Follower_should_get_a_tasks_events_in_order_as_they_happen()
    {
        using var deadline = new CancellationTokenSource(Patience);
        await using var feed = _client.EventsAsync(cancellationToken: deadline.Token).GetAsyncEnumerator(deadline.Token);
        var connected = await FollowAsync(feed, e => e is AgentStateChanged { Agent: "a1", State: AgentState.Connected });

        // Submitted only once the follower is live: what follows reaches it through the long poll.
        var task = await _client.SubmitAsync("a1", TestCluster.Spec("fails-3", ["sh", "-c", "exit 3"]));
        var events = await FollowAsync(feed, e => IsFinal(e, task.TaskId));

        var steps = events.OfType<TaskStateChanged>().Where(t => t.TaskId == task.TaskId).ToList();
        Assert.Equal([TaskState.Pending, TaskState.Running, TaskState.Failed], steps.Select(t => t.State));
        Assert.All(steps, t => Assert.Equal(("a1", (string?)null), (t.Agent, t.JobId)));
        Assert.Equal(3, steps[^1].ExitCode);
        AssertIncreasing([..connected, ..events]);
    }

    [Fact]
    public async Task Resume_after_an_offset_mid_stream_should_give_exactly_the_rest()
    {
        foreach (var id in new[] { "r-1", "r-2", "r-3" })
        {
            await _client.SubmitAsync("a1", TestCluster.Spec(id, ["true"]));
            await _cluster.WaitForFinalAsync(id);
        }

        var all = await ReadToEndAsync();
        var middle = all.Count / 2;

        var rest = await ReadToEndAsync(all[middle].Offset);

        Assert.True(all.Count >= 10, $"{all.Count} events");
        AssertIncreasing(all);
        Assert.Equal(all.Skip(middle + 1), rest);
    }

    [Fact]
    public async Task Offsets_should_mean_the_same_after_a_master_restart()
    {
        var task = await _client.SubmitAsync("a1", TestCluster.Spec("before-restart", ["true"]));
        await _cluster.WaitForFinalAsync(task.TaskId);
        var before = await ReadToEndAsync();

        await _cluster.RestartMasterAsync();
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        var after = await ReadToEndAsync();
        var resumed = await ReadToEndAsync(before[^1].Offset);

        Assert.Equal(before, after.Take(before.Count));
        Assert.Equal(after.Skip(before.Count), resumed);
        // The agent coupled again with the new Master run: a new event after the old ones, not a renumbered one.
        Assert.Contains(resumed, e => e is AgentStateChanged { Agent: "a1", State: AgentState.Connected });
    }

    [Fact]
    public async Task Backlog_of_thousands_of_adopted_events_should_come_in_pages_below_the_frame_size()
    {
        const int tasks = 1_000;
        await JournalFiller.FillAsync(() => _cluster.Agent("a1"), "bulk", tasks);
        using var deadline = new CancellationTokenSource(Patience);
        await using var feed = _client.EventsAsync(cancellationToken: deadline.Token).GetAsyncEnumerator(deadline.Token);
        var succeeded = 0;
        await FollowAsync(feed, e => e is TaskStateChanged { State: TaskState.Succeeded } t && t.TaskId.StartsWith("bulk-") && ++succeeded == tasks);

        // Page by page, as a subscriber that pages itself: every page below the frame, together the whole feed once.
        var pages = new List<FeedPage>();
        var offset = EventOffset.Start;
        do
        {
            pages.Add(await _client.ReadFeedAsync("pager", offset, maxEvents: ReadFeed.MaxPageEvents));
            offset = pages[^1].Last;
        }
        while (!pages[^1].AtEnd);

        var events = pages.SelectMany(p => p.Events).ToList();
        Assert.True(pages.Count > 3, $"{pages.Count} pages");
        AssertIncreasing(events);
        Assert.Equal(3 * tasks, events.OfType<TaskStateChanged>().Count(t => t.TaskId.StartsWith("bulk-")));
        var serializer = new Contracts.Serialization.SchedulerSerializer((Akka.Actor.ExtendedActorSystem)_cluster.Client.System);
        Assert.All(pages, p => Assert.InRange(serializer.ToBinary(p).Length, 1, Contracts.WireLimits.MaxResultBytes + 10_000));
    }
}
