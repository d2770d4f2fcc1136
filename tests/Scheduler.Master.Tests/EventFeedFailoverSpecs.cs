using Scheduler.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The event feed across a hand-over: a subscriber following the feed while the active master of three crashes
/// goes on on the new one, and gets every event exactly once and in order — the same events under the same offsets as
/// a subscriber that reads the whole feed afterwards from the new master.
/// </summary>
public sealed class EventFeedFailoverSpecs(PostgreSqlFixture postgres) : IClassFixture<PostgreSqlFixture>, IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private SchedulerClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(new TestClusterOptions { Masters = 3, PostgreSql = postgres.Server, Partitionable = false, Agents = ["a1"] });
        _client = await _cluster.ConnectClientAsync();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_follower_should_get_every_event_once_in_order_across_a_crash_of_the_active_master()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var feed = _client.EventsAsync(EventOffset.Start, follow: true, patience.Token).GetAsyncEnumerator(patience.Token);
        var followed = new List<FeedEvent>();
        var before = await MarkedTask.StartAsync(_cluster, "a1");
        await FollowUntilAsync(feed, followed, e => e is TaskStateChanged { State: TaskState.Running } t && t.TaskId == before.Task.TaskId);

        var old = (await _cluster.StatusAsync()).Node;
        await _cluster.CrashActiveMasterAsync();
        await _cluster.WaitForSingletonElsewhereAsync(old);
        Assert.Equal(TaskState.Succeeded, (await before.FinishAsync(_cluster)).State);
        var after = await _cluster.SubmitAsync("a1", "sh", "-c", "exit 4");
        await FollowUntilAsync(feed, followed, e => e is TaskStateChanged { State: TaskState.Failed } t && t.TaskId == after.TaskId);

        var offsets = followed.Select(e => e.Offset).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
        Assert.Single(followed, e => e is TaskStateChanged { State: TaskState.Succeeded } t && t.TaskId == before.Task.TaskId);

        var reread = new List<FeedEvent>();
        await foreach (var e in _client.EventsAsync(EventOffset.Start, follow: false, patience.Token))
        {
            reread.Add(e);
        }

        Assert.Equal(followed, reread.Take(followed.Count));
    }

    private static async Task FollowUntilAsync(IAsyncEnumerator<FeedEvent> feed, List<FeedEvent> into, Func<FeedEvent, bool> until)
    {
        while (await feed.MoveNextAsync())
        {
            into.Add(feed.Current);
            if (until(feed.Current))
            {
                return;
            }
        }
    }
}
