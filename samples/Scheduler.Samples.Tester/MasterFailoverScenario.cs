using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Scheduler.Samples.Tester;

/// <summary>
/// Three masters on one PostgreSQL journal: the active one crashes, another takes the singleton over and the agent
/// couples to it; the task that was running completes once and is in the new master's history once.
/// </summary>
public sealed class MasterFailoverScenario(PostgreSqlFixture postgres, ITestOutputHelper output)
    : SchedulerSpec(output), IClassFixture<PostgreSqlFixture>
{
    protected override TestClusterOptions Options => new() { Masters = 3, PostgreSql = postgres.Server, Agents = ["a1"] };

    [Fact]
    public async Task A_task_running_when_the_active_master_crashes_completes_exactly_once()
    {
        var task = await MarkedTask.StartAsync(Cluster, "a1");
        var before = await Cluster.StatusAsync();

        await Cluster.CrashActiveMasterAsync();
        var after = await Cluster.WaitForSingletonElsewhereAsync(before.Node);
        Assert.True(after.Epoch > before.Epoch);

        Assert.Equal(TaskState.Succeeded, (await task.FinishAsync(Cluster)).State);
        Assert.Equal(1, await task.CountRunsAsync());
        Assert.Single(await Cluster.HistoryAsync("a1"), t => t.TaskId == task.Task.TaskId);
    }
}
