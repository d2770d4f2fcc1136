using System.Threading.Channels;
using Akka.Actor;
using Scheduler.Client;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The event feed for code that is an actor (<see cref="FeedSubscriber"/>), across a partition of the agent: what the
/// agent journaled while cut off reaches the subscriber once the link heals and its journal is adopted.
/// </summary>
public sealed class EventFeedPartitionSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartWithAsync("scheduler.master.lost-after = 60s", partitionable: true, "a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Subscriber_actor_should_get_the_events_an_agent_journaled_during_a_partition_after_the_heal()
    {
        var (system, clusterClient) = _cluster.Client;
        var received = Channel.CreateUnbounded<FeedEvent>();
        var target = system.ActorOf(Props.Create(() => new Collector(received.Writer)));
        system.ActorOf(FeedSubscriber.Props(clusterClient, target));
        var go = Path.Combine(_cluster.Root, "go");
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -f {go} ]; do sleep 0.05; done; exit 7");
        await NextAsync(received, e => e is TaskStateChanged { State: TaskState.Running } t && t.TaskId == task.TaskId);
        var process = _cluster.Processes.Find(task.TaskId)!;

        await _cluster.PartitionAsync("a1");
        await NextAsync(received, e => e is AgentStateChanged { Agent: "a1", State: AgentState.Unreachable });
        var unknown = await NextAsync(received, _ => true);
        await File.WriteAllTextAsync(go, "");
        Assert.Equal(7, await process.Exited.WaitAsync(Patience));
        await _cluster.HealAsync("a1");

        var ended = await NextAsync(received, e => e is TaskStateChanged t && t.TaskId == task.TaskId);
        var connected = await NextAsync(received, _ => true);

        Assert.Equal((task.TaskId, TaskState.Unknown), unknown is TaskStateChanged u ? (u.TaskId, u.State) : default);
        var failed = Assert.IsType<TaskStateChanged>(ended);
        Assert.Equal((TaskState.Failed, (int?)7), (failed.State, failed.ExitCode));
        Assert.Equal(AgentState.Connected, Assert.IsType<AgentStateChanged>(connected).State);
        Assert.True(unknown.Offset < failed.Offset && failed.Offset < connected.Offset);
    }

    /// <summary>The next event the subscriber got that matches, skipping the others, within the patience.</summary>
    private static async Task<FeedEvent> NextAsync(Channel<FeedEvent> received, Func<FeedEvent, bool> match)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var e = await received.Reader.ReadAsync(deadline.Token);
            if (match(e))
            {
                return e;
            }
        }
    }

    /// <summary>An integrator's actor: hands each event on, then says it is processed so the next one comes.</summary>
    private sealed class Collector : ReceiveActor
    {
        public Collector(ChannelWriter<FeedEvent> received) =>
            Receive<FeedEvent>(e =>
            {
                received.TryWrite(e);
                Sender.Tell(new FeedEventProcessed(e.Offset));
            });
    }
}
