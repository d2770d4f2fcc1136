using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The Master's remote watch of agents fails whole addresses (host and port), and a new agent incarnation registers on
/// its old port: a give-up timed on the old incarnation can reach the Master just after the new one registered. Here the
/// Master's watch pause is the shipped lost-after (330 s), so any address failure right after a registration is such a
/// stale one. The spec delivers it as an actor sees an address failure (Akka turns its AddressTerminated into this
/// notification for each watched actor at the address): the race that makes it happen is milliseconds wide.
/// </summary>
public sealed class RemoteWatchSpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync("a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Address_failure_timed_on_an_earlier_incarnation_should_not_cut_off_the_agent_that_just_registered()
    {
        var task = await _cluster.SubmitAsync("a1", "sleep", "60");
        await _cluster.WaitForTaskAsync(task.TaskId, TaskState.Running);

        var timeout = TimeSpan.FromSeconds(10);
        var agent = await _cluster.Master.ActorSelection(new RootActorPath(_cluster.AgentAddress("a1")) / "user" / "agent").ResolveOne(timeout);
        var scheduler = await _cluster.Master.ActorSelection("/user/scheduler/singleton/scheduler-*").ResolveOne(timeout);
        ((IInternalActorRef)scheduler).SendSystemMessage(new DeathWatchNotification(agent, existenceConfirmed: false, addressTerminated: true));
        // The notification becomes a Terminated message queued no later than the first query: the second is answered after it.
        await _cluster.QueryAsync<AgentsResult>(GetAgents.Instance);

        Assert.Equal(TaskState.Running, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        Assert.Equal(AgentState.Connected, (await _cluster.QueryAsync<AgentsResult>(GetAgents.Instance)).Agents.Single().State);
        // Still watched: a graceful stop is seen at once (unwatched, the agent would look silent until lost-after).
        await _cluster.StopAgentGracefullyAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Lost);
        Assert.Equal(TaskState.Killed, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
    }

    [Fact]
    public void Agent_should_wait_for_the_masters_watch_to_give_up_before_it_starts_a_new_incarnation()
    {
        // The watch's detector fails after pause (lost-after, 330 s) + its heartbeat interval (330 s / 30 = 11 s,
        // at most 10 s), seen at its reaper's next 1 s tick: an agent that replaced its ActorSystem sooner would
        // do it for nothing, and its new incarnation could meet the watch's give-up on the old one.
        Assert.Equal(TimeSpan.FromSeconds(330 + 10 + 1), _cluster.AgentHostOf("a1").Runtime.QuarantineAfter);
    }
}
