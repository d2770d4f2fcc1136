using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Scheduler.Samples.Tester;

/// <summary>
/// A partition shorter than the agent's reconnect window: the task keeps running on the agent, finishes while the
/// agent is cut off, and after the heal the Master has its whole history — nothing killed, nothing lost.
/// </summary>
public sealed class ShortPartitionScenario(ITestOutputHelper output) : SchedulerSpec(output)
{
    protected override TestClusterOptions Options => new() { Agents = ["a1"] };

    [Fact]
    public async Task A_task_that_ends_during_a_short_partition_is_reported_after_the_heal()
    {
        var task = await MarkedTask.StartAsync(Cluster, "a1");

        await Cluster.PartitionAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        Assert.Equal(TaskState.Unknown, (await Cluster.WaitForTaskAsync(task.Task.TaskId, TaskState.Unknown)).State);

        // It finishes while the Master cannot hear about it: only the agent's journal knows.
        await File.WriteAllTextAsync(task.Marker, "");
        await Cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == task.Task.TaskId, "the task's exit");

        await Cluster.HealAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Connected);
        Assert.Equal(TaskState.Succeeded, (await Cluster.WaitForFinalAsync(task.Task.TaskId)).State);
        Assert.Equal(1, await task.CountRunsAsync());

        // The Master's history and the agent's own journal tell the same story.
        var compared = await Cluster.CompareHistoryAsync("a1");
        Assert.All(compared, c => Assert.Equal(c.Value.Agent, c.Value.Master));
    }
}
