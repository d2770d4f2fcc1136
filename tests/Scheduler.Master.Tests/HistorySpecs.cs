using Microsoft.Data.Sqlite;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Master.History;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// Settled tasks leave the Master's state for the history table; every question about them is still answered —
/// from the table, merged with the open tasks in order.
/// </summary>
public sealed class HistorySpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartWithAsync("scheduler.master.history-move-interval = 200ms", partitionable: false, "a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_settled_task_should_move_to_the_history_table_and_still_answer_every_query()
    {
        var settled = await _cluster.SubmitAsync("a1", "sh", "-c", "echo settled");
        await _cluster.WaitForFinalAsync(settled.TaskId);
        await TestCluster.WaitUntilAsync(() => InHistoryTable(settled.TaskId), "the task in the history table");
        var between = DateTimeOffset.UtcNow;
        var open = await _cluster.SubmitAsync("a1", "sleep", "300");

        Assert.Equal(TaskState.Succeeded, (await _cluster.AskAsync<TaskResult>(new GetTask(settled.TaskId))).Task.State);
        Assert.Equal([open.TaskId, settled.TaskId], (await _cluster.AskAsync<TasksResult>(new GetHistory("a1", null, 10))).Tasks.Select(t => t.TaskId));
        Assert.Equal([settled.TaskId], (await _cluster.AskAsync<TasksResult>(new GetHistory(null, null, 10, Until: between))).Tasks.Select(t => t.TaskId));
        Assert.Equal([open.TaskId], (await _cluster.AskAsync<TasksResult>(new GetHistory(null, null, 10, Since: between))).Tasks.Select(t => t.TaskId));
        Assert.Single((await _cluster.AskAsync<TasksResult>(new GetHistory(null, settled.TaskId, 10))).Tasks);
        Assert.Equal("settled", await _cluster.WaitForCompleteLogAsync(settled.TaskId));

        // The id stays taken: the same submit again is answered with the task, another command is refused.
        var again = await _cluster.AskAsync<TaskResult>(new SubmitTask("a1", TestCluster.Spec(settled.TaskId, ["sh", "-c", "echo settled"])));
        Assert.Equal(TaskState.Succeeded, again.Task.State);
        var other = await _cluster.AskAsync<RequestFailed>(new SubmitTask("a1", TestCluster.Spec(settled.TaskId, ["true"])));
        Assert.Equal(ErrorCode.DuplicateTaskId, other.Code);
        Assert.Equal(TaskState.Succeeded, (await _cluster.AskAsync<TaskResult>(new KillTask(settled.TaskId))).Task.State);
        Assert.Equal(ErrorCode.NotFound, (await _cluster.AskAsync<RequestFailed>(new GetTask("no-such-task"))).Code);
    }

    [Fact]
    public async Task A_restarted_master_should_find_moved_tasks_in_the_table()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo kept");
        await _cluster.WaitForFinalAsync(task.TaskId);
        await TestCluster.WaitUntilAsync(() => InHistoryTable(task.TaskId), "the task in the history table");

        await _cluster.RestartMasterAsync();

        Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        Assert.Equal("kept", await _cluster.WaitForCompleteLogAsync(task.TaskId));
    }

    private bool InHistoryTable(string taskId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_cluster.Root, "master", "journal.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM sqlite_master WHERE name = '{TaskHistoryStore.Table}'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return false;
        }

        command.CommandText = $"SELECT count(*) FROM {TaskHistoryStore.Table} WHERE task_id = $id";
        command.Parameters.AddWithValue("$id", taskId);
        return (long)command.ExecuteScalar()! == 1;
    }
}
