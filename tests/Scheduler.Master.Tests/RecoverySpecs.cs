using Scheduler.Agent.Processes;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>Restarts of agents and of the Master: nothing in the history is lost, no orphan survives.</summary>
public sealed class RecoverySpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync("a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Agent_restart_should_kill_the_orphaned_process_and_end_the_task_Lost()
    {
        var task = await _cluster.SubmitAsync("a1", "sleep", "300");
        var running = await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");
        var process = _cluster.Processes.Find(task.TaskId)!;
        var identity = process.Identity;

        // The agent's actors die without a graceful stop; a new agent process has a process table of its own.
        await _cluster.TerminateAgentAsync("a1");
        Assert.True(identity.IsAlive());
        await _cluster.StartAgentAsync("a1", new ProcessTable());

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Lost, final.State);
        Assert.Equal("agent restarted; its orphaned process was killed", final.Reason);
        Assert.False(identity.IsAlive());
        Assert.Equal(running.StartedAt, final.StartedAt);
    }

    [Fact]
    public async Task Graceful_agent_stop_should_kill_running_tasks_and_tell_the_master()
    {
        var task = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");
        var identity = _cluster.Processes.Find(task.TaskId)!.Identity;

        await _cluster.StopAgentGracefullyAsync("a1");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Killed, final.State);
        Assert.Equal("agent stopped", final.Reason);
        Assert.False(identity.IsAlive());
    }

    [Fact]
    public async Task Master_restart_should_recover_the_history_from_its_journal_and_the_agent_should_register_again()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo kept");
        await _cluster.WaitForFinalAsync(task.TaskId);
        await _cluster.WaitForCompleteLogAsync(task.TaskId);

        await _cluster.RestartMasterAsync();

        var history = await _cluster.QueryAsync<TasksResult>(new GetHistory(null, task.TaskId, 10));
        Assert.Equal(TaskState.Succeeded, Assert.Single(history.Tasks).State);
        Assert.Equal("kept", await _cluster.WaitForCompleteLogAsync(task.TaskId));
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        var next = await _cluster.SubmitAsync("a1", "true");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(next.TaskId)).State);
    }

    [Fact]
    public async Task Task_finished_while_the_master_was_down_should_be_adopted_with_its_log_after_restart()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "sleep 1; echo late");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");
        var process = _cluster.Processes.Find(task.TaskId)!;
        var port = int.Parse(_cluster.MasterAddress.Split(':')[1]);
        await _cluster.Master.Terminate();
        await process.Exited.WaitAsync(TimeSpan.FromSeconds(20));

        _cluster.StartMaster(port);

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Succeeded, final.State);
        Assert.Equal("late", await _cluster.WaitForCompleteLogAsync(task.TaskId));
    }
}
