using System.Text.Json;
using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>The dashboard of real node processes: <c>scheduler standalone --dashboard URL</c>, and a second node on the same port.</summary>
public sealed partial class DashboardProcessSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scheduler-e2e", Guid.NewGuid().ToString("N")[..10]);
    private readonly List<NodeProcess> _nodes = [];

    [GeneratedRegex("running; stop with Ctrl")]
    private static partial Regex Running();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await NodeProcess.StopAllAsync(_nodes, output.WriteLine);
        NodeProcess.DeleteFolder(_root);
    }

    [Fact]
    public async Task Standalone_should_serve_the_dashboard_and_a_second_node_on_its_port_should_start_with_a_warning()
    {
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var (standalone, started) = await NodeProcess.StartAsync("standalone", Running(),
            "standalone", "--port", "0", "--data", Path.Combine(_root, "standalone"), "--dashboard", url);
        _nodes.Add(standalone);
        // The next step it suggests names the port it got, not the 0 it was given.
        Assert.Matches(@"scheduler submit --master 127\.0\.0\.1:[1-9][0-9]* --agent local", started);
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var agents = await Eventually.ValueAsync(async () => JsonDocument.Parse(await http.GetStringAsync("/api/agents")).RootElement,
            a => a.GetArrayLength() == 1 && a[0].GetProperty("state").GetString() == "Connected", "agent local Connected on /api/agents");
        Assert.Equal("local", agents[0].GetProperty("name").GetString());
        Assert.Contains("<title>Scheduler · Agents</title>", await http.GetStringAsync("/"));
        // The gauges are published on the scheduler's tick (every heartbeat-interval).
        await Eventually.TrueAsync(async () => (await http.GetStringAsync("/metrics")).Contains("scheduler_agents{", StringComparison.Ordinal),
            "scheduler_agents on /metrics");

        var (second, _) = await NodeProcess.StartAsync("master", Running(),
            "master", "--port", "0", "--data", Path.Combine(_root, "master"), "--dashboard", url);
        _nodes.Add(second);
        await second.WaitForLineAsync(DashboardNotStarted());
        Assert.False(second.HasExited);
    }

    [GeneratedRegex("WRN.*Dashboard not started: .* cannot be bound")]
    private static partial Regex DashboardNotStarted();
}
