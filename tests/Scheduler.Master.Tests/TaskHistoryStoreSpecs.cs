using Microsoft.Data.Sqlite;
using Npgsql;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.Master.History;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>The history table on both databases a Master runs on: the same SQL, the same answers.</summary>
public abstract class TaskHistoryStoreSpecs : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    protected TaskHistoryStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private static TaskEntry Entry(long sequence, string agent, string id, int minute) =>
        new(sequence, agent, TestCluster.Spec(id, ["sh", "-c", $"echo {id}"]), TaskState.Succeeded, 0,
            T0.AddMinutes(minute), T0.AddMinutes(minute), T0.AddMinutes(minute + 1), null, true, null, true);

    [Fact]
    public async Task Saved_entries_should_be_found_by_id_newest_first_by_agent_and_by_submission_time()
    {
        await Store.SaveAsync([Entry(1, "a1", "t1", 0), Entry(2, "a2", "t2", 10), Entry(3, "a1", "t3", 20), Entry(4, "a1", "t4", 30)]);

        var found = await Store.FindAsync("t2");
        Assert.Equal(("a2", 2L, T0.AddMinutes(10)), (found!.Agent, found.Sequence, found.SubmittedAt));
        Assert.Equal(["sh", "-c", "echo t2"], found.Spec.Command);
        Assert.Null(await Store.FindAsync("t9"));

        Assert.Equal(["t4", "t3", "t2", "t1"], Ids(await Store.NewestAsync(new HistoryFilter(), 10)));
        Assert.Equal(["t4", "t3"], Ids(await Store.NewestAsync(new HistoryFilter("a1"), 2)));
        Assert.Equal(["t3", "t2"], Ids(await Store.NewestAsync(new HistoryFilter(Since: T0.AddMinutes(10), Until: T0.AddMinutes(30)), 10)));
        Assert.Equal(["t3"], Ids(await Store.NewestAsync(new HistoryFilter("a1", T0.AddMinutes(5), T0.AddMinutes(25)), 10)));
        Assert.Equal(["t1", "t4"], (await Store.ExistingAsync("a1", ["t1", "t2", "t4", "t9"])).Order());
    }

    [Fact]
    public async Task Saving_an_entry_again_should_change_nothing()
    {
        await Store.SaveAsync([Entry(1, "a1", "t1", 0)]);
        await Store.SaveAsync([Entry(1, "a1", "t1", 0), Entry(2, "a1", "t2", 1)]);

        Assert.Equal(["t2", "t1"], Ids(await Store.NewestAsync(new HistoryFilter(), 10)));
    }

    [Fact]
    public async Task A_jobs_runs_should_be_found_by_job_and_not_a_task_that_only_looks_like_one()
    {
        TaskEntry Run(long sequence, string id, string? job) => Entry(sequence, "a1", id, (int)sequence) with { JobId = job };
        await Store.SaveAsync([Run(1, "a_b.1", "a_b"), Run(2, "axb.1", "axb"), Run(3, "a_b.2", "a_b"), Run(4, "a_b.3", null)]);

        Assert.Equal(["a_b.2", "a_b.1"], Ids(await Store.NewestAsync(new HistoryFilter(JobId: "a_b"), 10)));
        Assert.Equal(["axb.1"], Ids(await Store.NewestAsync(new HistoryFilter(JobId: "axb"), 10)));
    }

    private static IEnumerable<string> Ids(IEnumerable<TaskEntry> entries) => entries.Select(e => e.Spec.TaskId);
}

public sealed class SqliteTaskHistoryStoreSpecs : TaskHistoryStoreSpecs
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.db");

    public override Task InitializeAsync()
    {
        Store = new TaskHistoryStore(() => new SqliteConnection($"Data Source={_file}"));
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return Task.CompletedTask;
    }
}

public sealed class PostgresTaskHistoryStoreSpecs : TaskHistoryStoreSpecs
{
    private PostgresServer _server = null!;

    public override async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        var connectionString = await _server.CreateDatabaseAsync();
        Store = new TaskHistoryStore(() => new NpgsqlConnection(connectionString));
    }

    public override async Task DisposeAsync() => await _server.DisposeAsync();
}
