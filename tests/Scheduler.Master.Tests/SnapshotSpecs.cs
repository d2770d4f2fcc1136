using System.Text.Json;
using Microsoft.Data.Sqlite;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>The Master snapshots its state and recovers from the snapshot plus the events after it.</summary>
public sealed class SnapshotSpecs : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartWithAsync("scheduler.master { snapshot-every = 10, history-move-interval = 200ms }", partitionable: false, "a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public void The_state_should_survive_its_snapshot_form()
    {
        var state = SchedulerState.Empty
            .Apply(new MasterEpochStarted(1, "r1", T0))
            .Apply(new AgentJournalAttached("a1", "j1", T0))
            .Apply(new TaskSubmitted("a1", TestCluster.Spec("t1", ["sleep", "5"], TimeSpan.FromSeconds(9), "/tmp", new Dictionary<string, string> { ["K"] = "V" }), T0))
            .Apply(new AgentEventsAdopted("a1", "j1", 2, [new JournaledTaskEvent(2, new TaskStarted("t1", 42, 7, "boot", T0))]))
            .Apply(new AgentCoupled("a1", "j1", 3, ["t1"], TimeSpan.FromMinutes(6), T0))
            .Apply(new AgentWentUnreachable("a1", T0, T0.AddSeconds(6)));
        var options = SchedulerSerializer.CreateOptions();

        var json = JsonSerializer.SerializeToElement(state, options);
        var back = json.Deserialize<SchedulerState>(options)!;

        Assert.Equal(json.GetRawText(), JsonSerializer.SerializeToElement(back, options).GetRawText());
        Assert.Equal(("r1", 2L, 2L), (back.RunId, back.NextSequence, back.Cursors["a1"].AdoptedOffset));
        Assert.Equal(TaskState.Running, back.Tasks["t1"].State);
        Assert.Equal("V", back.Tasks["t1"].Spec.Environment["K"]);
        Assert.Equal([SchedulerEventKind.MasterStarted, SchedulerEventKind.AgentRegistered, SchedulerEventKind.AgentUnreachable], back.EventLog.Select(e => e.Kind));
    }

    [Fact]
    public async Task A_restarted_master_should_recover_from_its_snapshot_and_the_events_after_it()
    {
        var running = await _cluster.SubmitAsync("a1", "sleep", "300");
        var done = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"echo {i}");
            await _cluster.WaitForFinalAsync(task.TaskId);
            done.Add(task.TaskId);
        }

        await _cluster.WaitForTaskAsync(running.TaskId, t => t.State == TaskState.Running, "running");
        await TestCluster.WaitUntilAsync(() => SnapshotRows() > 0, "a snapshot saved");
        await _cluster.RestartMasterAsync();

        var status = await _cluster.WaitForDatabaseAsync(available: true);
        Assert.Equal(2L, status.Epoch);
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        Assert.Equal(TaskState.Running, (await _cluster.QueryAsync<TaskResult>(new GetTask(running.TaskId))).Task.State);
        foreach (var id in done)
        {
            Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(id))).Task.State);
        }

        Assert.Equal(1, SnapshotRows()); // older snapshots are deleted
    }

    [Fact]
    public async Task A_snapshot_this_master_cannot_read_should_be_skipped_for_the_journals_events()
    {
        var tasks = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"echo {i}");
            await _cluster.WaitForFinalAsync(task.TaskId);
            tasks.Add(task.TaskId);
        }

        await TestCluster.WaitUntilAsync(() => SnapshotRows() > 0, "a snapshot saved");
        await _cluster.RestartMasterAsync(whileDown: () =>
        {
            // As if written by another version of the Master.
            Execute("UPDATE snapshot SET snapshot = CAST(replace(CAST(snapshot AS TEXT), '\"version\":1', '\"version\":99') AS BLOB)");
            return Task.CompletedTask;
        });

        var status = await _cluster.WaitForDatabaseAsync(available: true);
        Assert.Equal(2L, status.Epoch);
        foreach (var id in tasks)
        {
            Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(id))).Task.State);
        }
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_cluster.Root, "master", "journal.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    private long SnapshotRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_cluster.Root, "master", "journal.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM snapshot WHERE persistence_id = 'scheduler'";
        return (long)command.ExecuteScalar()!;
    }
}
