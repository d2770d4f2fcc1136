using Akka.Actor;
using Npgsql;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Xunit.Abstractions;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// A Master on a real PostgreSQL server of the test's own: the journal works, and an outage (server stopped or
/// frozen) is handled like a Master failure — agents' windows run, nothing is lost, and the Master is back on the
/// first retry after the server is.
/// </summary>
public sealed class DatabaseOutageSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const string FastRetries = "scheduler.master.db { retry-interval = 1s, check-interval = 300ms, check-timeout = 3s }";
    private PostgresServer _postgres = null!;
    private string _connectionString = null!;
    private TestCluster? _cluster;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        _postgres.Thaw();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }

    private string MasterHocon(string connectionString, string extra = "") => $$"""
        scheduler.master.journal { kind = postgresql, connection-string = "{{connectionString}}" }
        {{FastRetries}}
        {{extra}}
        """;

    [Fact]
    public async Task Master_on_PostgreSQL_should_create_its_tables_and_keep_history_and_logs_across_a_restart()
    {
        _cluster = await TestCluster.StartWithAsync(MasterHocon(_connectionString), partitionable: false, "a1");
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo from-postgres");
        await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal("from-postgres", await _cluster.WaitForCompleteLogAsync(task.TaskId));

        await _cluster.RestartMasterAsync();

        var status = await _cluster.StatusAsync();
        Assert.Equal(("postgresql", true, 2L), (status.JournalKind, status.Database.Available, status.Epoch));
        Assert.Equal(TaskState.Succeeded, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        Assert.Equal("from-postgres", await _cluster.WaitForCompleteLogAsync(task.TaskId));
        Assert.True(await JournalRowsAsync() > 0);
    }

    [Fact]
    public async Task Outage_shorter_than_the_window_should_lose_nothing_kill_nothing_and_end_on_the_first_retry_after_the_server_is_back()
    {
        _cluster = await TestCluster.StartWithAsync(MasterHocon(_connectionString), partitionable: false);
        await _cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.reconnect-window = 60s");
        var marker = Path.Combine(_cluster.Root, "go");
        var finishing = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -e {marker} ]; do sleep 0.1; done; echo finished-in-outage");
        var running = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(finishing.TaskId, t => t.State == TaskState.Running, "running");
        await _cluster.WaitForTaskAsync(running.TaskId, t => t.State == TaskState.Running, "running");

        await _postgres.StopAsync();
        var down = await _cluster.WaitForDatabaseAsync(available: false);
        Assert.StartsWith("database unavailable since ", down.Database.Summary);
        Assert.Equal((null, null), (down.Agents, down.UnfinishedTasks));
        // Other requests fail at once with the same one line, instead of timing out.
        var refused = await _cluster.AskAsync<RequestFailed>(new GetHistory(null, null, 10));
        Assert.Equal(ErrorCode.DatabaseUnavailable, refused.Code);
        Assert.StartsWith("database unavailable since ", refused.Message);

        File.WriteAllText(marker, ""); // the task ends while the Master cannot write
        await _cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == finishing.TaskId, "the task's exit journaled by the agent");
        await _postgres.StartAgainAsync();
        var back = System.Diagnostics.Stopwatch.StartNew();
        var justAfter = (await _cluster.StatusAsync()).Database;

        var up = await _cluster.WaitForDatabaseAsync(available: true);
        output.WriteLine($"database back → Master serving again in {back.ElapsedMilliseconds} ms (retry-interval 1s): {up.Database.Summary}");
        // Back on the attempt under way when the server returned, or on the next one — never a later one (stale
        // pooled connections or an open circuit breaker would fail the first attempt).
        Assert.True(justAfter.Available || up.Database.Attempts <= justAfter.Attempts + 1,
            $"attempts when the server was back: {justAfter.Attempts}; recovered on attempt {up.Database.Attempts}");
        Assert.StartsWith("available; unavailable from ", up.Database.Summary);
        var finished = await _cluster.WaitForFinalAsync(finishing.TaskId);
        Assert.Equal(TaskState.Succeeded, finished.State);
        Assert.Equal("finished-in-outage", await _cluster.WaitForCompleteLogAsync(finishing.TaskId));
        Assert.Equal(TaskState.Running, (await _cluster.WaitForTaskAsync(running.TaskId, t => t.State == TaskState.Running, "running again")).State);
        Assert.DoesNotContain(await _cluster.AgentJournalAsync("a1"), e => e is TaskKilled);
    }

    [Fact]
    public async Task Outage_longer_than_the_window_should_have_agents_kill_their_tasks_and_the_history_say_so()
    {
        _cluster = await TestCluster.StartWithAsync(MasterHocon(_connectionString), partitionable: false);
        await _cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.reconnect-window = 3s");
        var task = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");

        await _postgres.StopAsync();
        await _cluster.WaitForDatabaseAsync(available: false);
        // The Master is silent to the agent: its window runs out and it kills the task itself.
        await _cluster.WaitForAgentJournalAsync("a1", e => e is TaskKilled { ByReconnectWindow: true } k && k.TaskId == task.TaskId, "killed by the window");
        await _postgres.StartAgainAsync();
        await _cluster.WaitForDatabaseAsync(available: true);

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Killed, final.State);
        Assert.StartsWith("master unreachable for ", final.Reason);
        Assert.Contains(await _cluster.EventsAsync("a1"), e => e.Kind == SchedulerEventKind.TasksKilledByWindow && e.TaskIds.Contains(task.TaskId));
    }

    [Fact]
    public async Task Hung_server_should_be_detected_within_the_check_timeout_and_handled_as_an_outage()
    {
        // Short driver timeouts, as an operator would set them; the check's own timeout is 3 s.
        var connectionString = _connectionString + ";Timeout=2;Command Timeout=2";
        _cluster = await TestCluster.StartWithAsync(MasterHocon(connectionString), partitionable: false);
        await _cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.reconnect-window = 60s");
        var task = await _cluster.SubmitAsync("a1", "sleep", "300");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");

        _postgres.Freeze();
        var frozen = System.Diagnostics.Stopwatch.StartNew();
        var down = await _cluster.WaitForDatabaseAsync(available: false);
        output.WriteLine($"hung server detected after {frozen.ElapsedMilliseconds} ms: {down.Database.Summary}");
        Assert.Contains("database unavailable since", down.Database.Summary);
        // check-interval 300 ms + check-timeout 3 s, with room for a loaded machine; Npgsql's defaults took ~40 s.
        Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(15), $"detected only after {frozen.Elapsed}");
        _postgres.Thaw();

        await _cluster.WaitForDatabaseAsync(available: true);
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running after the server thawed");
        // The new scheduler takes submits for the agent once it has registered again and replayed (seen refused before).
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        var next = await _cluster.SubmitAsync("a1", "sh", "-c", "echo after-thaw");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(next.TaskId)).State);
    }

    [Fact]
    public async Task Database_down_at_start_up_should_be_retried_until_it_appears()
    {
        await _postgres.StopAsync();
        _cluster = await TestCluster.StartWithAsync(MasterHocon(_connectionString), partitionable: false);

        var down = await _cluster.WaitForDatabaseAsync(available: false);
        Assert.Null(down.RunId);
        await TestCluster.WaitUntilAsync(() => _cluster.StatusAsync().Result.Database.Attempts >= 2, "two attempts");
        await _postgres.StartAgainAsync();

        var up = await _cluster.WaitForDatabaseAsync(available: true);
        Assert.Equal(1L, up.Epoch);
        await _cluster.StartAgentAsync("a1");
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo late-start");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task A_single_master_with_a_give_up_after_should_stop_its_node_once_the_outage_lasts_that_long()
    {
        _cluster = await TestCluster.StartWithAsync(MasterHocon(_connectionString, "scheduler.master.db.give-up-after = 2s"), partitionable: false);
        await _cluster.WaitForDatabaseAsync(available: true);

        await _postgres.StopAsync();
        await _cluster.WaitForDatabaseAsync(available: false);

        var stopped = await Task.WhenAny(_cluster.Master.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(_cluster.Master.WhenTerminated, stopped);
        Assert.Equal(1, CoordinatedShutdown.Get(_cluster.Master).ShutdownReason?.ExitCode);
    }

    private async Task<long> JournalRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
