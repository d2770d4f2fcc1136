using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>
/// Three real <c>scheduler master</c> processes with <c>--seed</c> on one PostgreSQL journal and an agent process
/// that knows all three: the active master is killed (SIGKILL) or stopped (SIGTERM), another serves every task.
/// </summary>
public sealed partial class MasterFailoverSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AgentName = "ha";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scheduler-e2e", Guid.NewGuid().ToString("N")[..10]);
    private readonly List<(NodeProcess Node, string Address, TcpProxy DatabasePath)> _masters = [];
    private PostgresServer _postgres = null!;
    private NodeProcess? _agent;

    [GeneratedRegex(@"master at (127\.0\.0\.1:\d+) running")]
    private static partial Regex MasterStarted();

    [GeneratedRegex("agent at .* running")]
    private static partial Regex AgentStarted();

    private string Contacts => string.Join(",", _masters.Select(m => m.Address));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _postgres = await PostgresServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync();
        var addresses = Enumerable.Range(0, 3).Select(_ => $"127.0.0.1:{LoopbackPorts.Free()}").ToList();
        var seeds = addresses.SelectMany(a => new[] { "--seed", a }).ToArray();
        for (var i = 0; i < addresses.Count; i++)
        {
            // Each master reaches the database through a proxy of its own, so one master's path can fail alone.
            var path = TcpProxy.Start(_postgres.Port);
            var config = Path.Combine(_root, $"master-{i}.conf");
            await File.WriteAllTextAsync(config, $$"""
                scheduler.master.journal {
                  kind = postgresql
                  connection-string = "{{connectionString.Replace($"Port={_postgres.Port}", $"Port={path.Port}")}}"
                }
                scheduler.master.db { retry-interval = 1s, check-interval = 500ms, give-up-after = 3s }
                scheduler.master.log-copy-interval = 200ms
                """);
            var (node, _) = await NodeProcess.StartAsync($"master {i}", MasterStarted(),
                ["master", "--port", addresses[i].Split(':')[1], "--data", Path.Combine(_root, $"master-{i}"), "--config", config, .. seeds]);
            _masters.Add((node, addresses[i], path));
        }

        (_agent, _) = await NodeProcess.StartAsync("agent", AgentStarted(),
            ["agent", "--name", AgentName, "--data", Path.Combine(_root, "agent"), .. addresses.SelectMany(a => new[] { "--master", a })]);
        await Eventually.TrueAsync(async () => (await StatusAsync()) is { } s && s.GetProperty("agents").ValueKind == JsonValueKind.Object
                && s.GetProperty("agents").GetProperty("connected").GetInt32() == 1,
            "the agent connected", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await NodeProcess.StopAllAsync(_masters.Select(m => m.Node).Append(_agent), output.WriteLine);

        foreach (var master in _masters)
        {
            await master.DatabasePath.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        NodeProcess.DeleteFolder(_root);
    }

    [Fact]
    public async Task Kill_9_of_the_active_master_should_leave_another_serving_every_task()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (code, json, error) = await CliAsync("submit", "--agent", AgentName, "--json", "--", "sh", "-c", $"echo {i}");
            Assert.True(code == 0, error);
            ids.Add(JsonDocument.Parse(json).RootElement.GetProperty("taskId").GetString()!);
        }

        foreach (var id in ids)
        {
            await Eventually.TrueAsync(async () => (await CliAsync("task", id, "--json")).Out.Contains("\"Succeeded\""), $"task {id} Succeeded");
        }

        var active = await ActiveMasterAsync();
        var clock = Stopwatch.StartNew();
        await active.Node.DisposeAsync(); // SIGKILL
        var serving = await WaitForOtherMasterAsync(active.Address);
        output.WriteLine($"hand-over after kill -9 of the active master process: {clock.ElapsedMilliseconds} ms (now {serving})");

        var history = JsonDocument.Parse((await CliAsync("history", "--json")).Out).RootElement;
        Assert.Equal(ids.Order(), history.EnumerateArray().Select(t => t.GetProperty("taskId").GetString()!).Order());
    }

    [Fact]
    public async Task SIGTERM_of_the_active_master_should_hand_over_within_seconds()
    {
        var active = await ActiveMasterAsync();
        var others = _masters.Where(m => m != active).Select(m => m.Node).ToList();
        var logged = others.ToDictionary(m => m, m => m.Log.Length);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await active.Node.StopGracefullyAsync(TimeSpan.FromSeconds(30)));
        await Eventually.TrueAsync(() => Task.FromResult(others.Any(m => m.Log.Contains("Singleton manager started singleton actor"))),
            "another master took the singleton", TimeSpan.FromSeconds(30));
        output.WriteLine($"singleton on another master {clock.ElapsedMilliseconds} ms after SIGTERM");
        var serving = await WaitForOtherMasterAsync(active.Address);
        output.WriteLine($"hand-over after SIGTERM of the active master process: {clock.ElapsedMilliseconds} ms to a master serving (now {serving})");
        // The old master left: the others never had to detect it as failed (which is what a crash takes: failure
        // detection, stable-after, the removal margin). A verdict that does not depend on how loaded the machine is.
        Assert.All(others, m => Assert.DoesNotContain("Marking node(s) as UNREACHABLE", m.Log[logged[m]..]));
    }

    [Fact]
    public async Task An_active_master_cut_off_from_its_database_should_make_way_keep_running_and_rejoin()
    {
        var active = await ActiveMasterAsync();
        var clock = Stopwatch.StartNew();
        active.DatabasePath.Cut();
        var serving = await WaitForOtherMasterAsync(active.Address);
        output.WriteLine($"hand-over after the active master lost its database path: {clock.ElapsedMilliseconds} ms (give-up-after 3 s; now {serving})");
        Assert.Contains("left the cluster (its database is unavailable)", active.Node.Log);
        Assert.False(active.Node.HasExited, "the master process must keep running to rejoin");

        active.DatabasePath.Restore();
        await Eventually.TrueAsync(() => Task.FromResult(active.Node.Log.Contains("the master rejoined the cluster as a new member")),
            "the master rejoined", TimeSpan.FromSeconds(30));
        var (code, json, error) = await CliAsync("status", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(serving, JsonDocument.Parse(json).RootElement.GetProperty("node").GetString());
        Assert.Equal(0, await active.Node.StopGracefullyAsync(TimeSpan.FromSeconds(30)));
    }

    private async Task<(NodeProcess Node, string Address, TcpProxy DatabasePath)> ActiveMasterAsync()
    {
        var node = (await StatusAsync())!.Value.GetProperty("node").GetString();
        return _masters.Single(m => m.Address == node);
    }

    /// <summary>Polls until a master other than <paramref name="old"/> runs the scheduler with the agent coupled.</summary>
    private async Task<string> WaitForOtherMasterAsync(string old) =>
        (await Eventually.ValueAsync(
            async () => await StatusAsync(),
            s => s is { } status && status.GetProperty("node").GetString() != old && status.GetProperty("database").GetProperty("available").GetBoolean()
                 && status.GetProperty("agents").ValueKind == JsonValueKind.Object && status.GetProperty("agents").GetProperty("connected").GetInt32() == 1,
            "another master serving with the agent connected",
            TimeSpan.FromSeconds(60)))!.Value.GetProperty("node").GetString()!;

    private async Task<JsonElement?> StatusAsync()
    {
        var (code, json, _) = await CliAsync("status", "--json");
        return code == 0 ? JsonDocument.Parse(json).RootElement : null;
    }

    private Task<(int ExitCode, string Out, string Error)> CliAsync(params string[] args) =>
        SchedulerCommand.RunAsync(new Dictionary<string, string> { ["SCHEDULER_MASTER"] = Contacts, ["SCHEDULER_REQUEST_TIMEOUT"] = "20s" }, args);
}
