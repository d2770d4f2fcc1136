using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Scheduler.Samples.Tester;

/// <summary>
/// A partition longer than the agent's reconnect window: the agent kills its task itself when the window expires
/// (it cannot know whether the Master has given the work to someone else), and the Master, once the agent is back,
/// records the kill with the agent's reason.
/// </summary>
public sealed class WindowExpiryScenario(ITestOutputHelper output) : SchedulerSpec(output)
{
    protected override TestClusterOptions Options => new()
    {
        Agents = ["a1"],
        AgentHocon = "scheduler.agent.reconnect-window = 3s",
        MasterHocon = "scheduler.master.lost-after = 5s",
    };

    [Fact]
    public async Task The_agent_kills_its_task_when_the_window_expires_and_the_Master_learns_why()
    {
        var task = await Cluster.SubmitAsync("a1", "sleep", "300");
        await Cluster.WaitForTaskAsync(task.TaskId, TaskState.Running);

        await Cluster.PartitionAsync("a1");
        await Cluster.WaitForAgentJournalAsync("a1", e => e is TaskKilled k && k.TaskId == task.TaskId && k.ByReconnectWindow,
            "the kill by the reconnect window");

        await Cluster.HealAsync("a1");
        var final = await Cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Killed, final.State);
        Assert.StartsWith("master unreachable for ", final.Reason);
        await Cluster.WaitForAgentAsync("a1", AgentState.Connected);
    }
}
