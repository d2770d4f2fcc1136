using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// Release: once the Master has adopted a final task's events and holds its whole log, the agent deletes them
/// after its retention (here 1 ms, checked every 200 ms) — and never before the Master has them.
/// </summary>
public sealed class ReleaseSpecs : IAsyncLifetime
{
    private const string QuickRelease = "scheduler.agent { retention = 1ms, release-interval = 200ms }";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartWithAsync("", partitionable: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string LogFile(string taskId) => Path.Combine(_cluster.AgentDataDir("a1"), "logs", taskId + ".log");

    private async Task<bool> AgentJournalHasAsync(string taskId) => (await _cluster.AgentJournalAsync("a1")).Any(e => e.TaskId == taskId);

    [Fact]
    public async Task Adopted_final_task_should_leave_the_agent_and_stay_in_the_masters_history_with_its_log()
    {
        await _cluster.StartAgentAsync("a1", extraHocon: QuickRelease);
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo kept by the master");
        await _cluster.WaitForFinalAsync(task.TaskId);
        await _cluster.WaitForCompleteLogAsync(task.TaskId);

        // The supervisor deletes the log file once the journal has deleted the rows: the journal is seen empty a moment
        // before the file is gone (this spec once read in between), so it waits for both.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await AgentJournalHasAsync(task.TaskId) || File.Exists(LogFile(task.TaskId))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(await AgentJournalHasAsync(task.TaskId));
        Assert.False(File.Exists(LogFile(task.TaskId)));
        Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        Assert.Equal("kept by the master", await _cluster.WaitForCompleteLogAsync(task.TaskId));
    }

    [Fact]
    public async Task Events_the_master_has_not_adopted_should_never_be_released()
    {
        await _cluster.StartAgentAsync("a1", extraHocon: QuickRelease);
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -f {_cluster.Root}/go ]; do sleep 0.05; done; echo done");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");
        await _cluster.PartitionAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        await File.WriteAllTextAsync(Path.Combine(_cluster.Root, "go"), "");
        await _cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == task.TaskId, "the exit");

        await Task.Delay(TimeSpan.FromSeconds(1)); // five release rounds while cut off

        Assert.True(await AgentJournalHasAsync(task.TaskId));
        Assert.True(File.Exists(LogFile(task.TaskId)));
        await _cluster.HealAsync("a1");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        Assert.Equal("done", await _cluster.WaitForCompleteLogAsync(task.TaskId));
    }
}
