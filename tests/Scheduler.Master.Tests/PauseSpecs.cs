using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// A paused Master does everything but start tasks: agents couple and are adopted, queries are answered, submitted
/// tasks stay Pending until resume. The pause is persisted.
/// </summary>
public sealed class PauseSpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync("a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_master_started_paused_should_adopt_history_and_logs_but_start_nothing_until_resumed()
    {
        var marker = Path.Combine(_cluster.Root, "go");
        var finishing = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -e {marker} ]; do sleep 0.1; done; echo finished-while-down");
        var running = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(running.TaskId, t => t.State == TaskState.Running, "running");

        // The task finishes while no Master is up; the Master comes back paused.
        await _cluster.RestartMasterAsync("scheduler.master.start-paused = on", whileDown: async () =>
        {
            await File.WriteAllTextAsync(marker, "");
            await _cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == finishing.TaskId, "the exit journaled");
        });

        Assert.True((await _cluster.WaitForDatabaseAsync(available: true)).Paused);
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(finishing.TaskId)).State);
        Assert.Equal("finished-while-down", await _cluster.WaitForCompleteLogAsync(finishing.TaskId));
        Assert.Equal(TaskState.Running, (await _cluster.QueryAsync<TaskResult>(new GetTask(running.TaskId))).Task.State);

        var pending = await _cluster.SubmitAsync("a1", "sh", "-c", "echo after-resume");
        await AssertNotStartedAsync(pending.TaskId);

        var resumed = (await _cluster.AskAsync<StatusResult>(ResumeMaster.Instance)).Status;
        Assert.False(resumed.Paused);
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(pending.TaskId)).State);
        Assert.Contains(await _cluster.EventsAsync(), e => e.Kind == SchedulerEventKind.MasterPaused);
        Assert.Contains(await _cluster.EventsAsync(), e => e.Kind == SchedulerEventKind.MasterResumed);
    }

    [Fact]
    public async Task A_pause_should_outlive_a_restart_and_let_running_tasks_continue()
    {
        var running = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(running.TaskId, t => t.State == TaskState.Running, "running");

        Assert.True((await _cluster.AskAsync<StatusResult>(PauseMaster.Instance)).Status.Paused);
        var pending = await _cluster.SubmitAsync("a1", "true");
        await _cluster.RestartMasterAsync();

        Assert.True((await _cluster.WaitForDatabaseAsync(available: true)).Paused);
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        await AssertNotStartedAsync(pending.TaskId);
        Assert.Equal(TaskState.Running, (await _cluster.QueryAsync<TaskResult>(new GetTask(running.TaskId))).Task.State);

        await _cluster.AskAsync<StatusResult>(ResumeMaster.Instance);
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(pending.TaskId)).State);
    }

    /// <summary>
    /// Pending, and never sent: the agent's journal has no trace of it after several outbox rounds (500 ms each in
    /// the specs' settings) — an absence can only be checked by waiting, so this waits three rounds.
    /// </summary>
    private async Task AssertNotStartedAsync(string taskId)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1_500));
        Assert.Equal(TaskState.Pending, (await _cluster.QueryAsync<TaskResult>(new GetTask(taskId))).Task.State);
        Assert.DoesNotContain(await _cluster.AgentJournalAsync("a1"), e => e.TaskId == taskId);
    }
}
