using System.Globalization;
using System.Text.RegularExpressions;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Dashboard.Tests;

/// <summary>
/// The Prometheus endpoint at /metrics of the dashboard, scraped over HTTP while a real cluster works. Meters are
/// process-wide: counters are compared before and after, and the spec runs alone (<see cref="MetricsAlone"/>), since the
/// gauges show the last scheduler that published — in a parallel spec, another cluster's (seen: its agent Unreachable).
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed partial class MetricsSpecs : SchedulerSpec
{
    private readonly ITestOutputHelper _output;

    public MetricsSpecs(ITestOutputHelper output) : base(output) => _output = output;

    [Fact]
    public async Task Metrics_should_move_with_tasks_kills_and_a_reconnect()
    {
        var dashboard = await Cluster.StartDashboardAsync();
        using var http = new HttpClient { BaseAddress = dashboard.Url };
        var before = await ScrapeAsync(http);

        var ok = await Cluster.SubmitAsync("a1", "true");
        await Cluster.WaitForFinalAsync(ok.TaskId);
        var killed = await MarkedTask.StartAsync(Cluster, "a1");
        var running = await TestCluster.WaitForAsync(() => ScrapeAsync(http), m => m.Value("scheduler_tasks_running") >= 1,
            m => $"a running task, got {m?.Text}");
        Assert.True(running.Value("scheduler_agent_tasks_running", "agent=\"a1\"") >= 1, running.Text);
        await Cluster.AskAsync(new Scheduler.Contracts.Client.KillTask(killed.Task.TaskId));
        await Cluster.WaitForFinalAsync(killed.Task.TaskId);

        await Cluster.PartitionAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        var partitioned = await TestCluster.WaitForAsync(() => ScrapeAsync(http), m => m.Value("scheduler_agents", "state=\"Unreachable\"") >= 1,
            m => $"an unreachable agent, got {m?.Text}");
        // The agent counts the Master's silence only once it notices it (its own unreachable-after): healing before
        // that would leave the agent's counter where it was.
        await TestCluster.WaitForAsync(() => ScrapeAsync(http), m => Moved(before, m, "scheduler_agent_master_unreachable_total", "agent=\"a1\"") >= 1,
            m => $"the agent counting the Master unreachable, got {m?.Text}");
        await Cluster.HealAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Connected);

        var after = await TestCluster.WaitForAsync(() => ScrapeAsync(http),
            m => m.Value("scheduler_reconnects_total", "agent=\"a1\"") > before.Value("scheduler_reconnects_total", "agent=\"a1\""),
            m => $"a reconnect counted, got {m?.Text}");
        _output.WriteLine(after.Text);

        Assert.True(after.Value("scheduler_tasks_started_total") - before.Value("scheduler_tasks_started_total") >= 2);
        Assert.True(Moved(before, after, "scheduler_tasks_finished_total", "state=\"Succeeded\"") >= 1);
        Assert.True(Moved(before, after, "scheduler_tasks_finished_total", "state=\"Killed\"") >= 1);
        Assert.True(Moved(before, after, "scheduler_tasks_killed_total", "reason=\"request\"") >= 1);
        Assert.True(Moved(before, after, "scheduler_events_adopted_total", "agent=\"a1\"") >= 6);
        Assert.True(Moved(before, after, "scheduler_agent_tasks_started_total", "agent=\"a1\"") >= 2);
        Assert.True(Moved(before, after, "scheduler_agent_tasks_finished_total", "state=\"Succeeded\"") >= 1);
        Assert.True(Moved(before, after, "scheduler_agent_tasks_killed_total", "reason=\"request\"") >= 1);
        Assert.True(Moved(before, after, "scheduler_agent_master_unreachable_total", "agent=\"a1\"") >= 1);
        Assert.True(partitioned.Value("scheduler_agents", "state=\"Unreachable\"") >= 1);
        Assert.True(after.Value("scheduler_agents", "state=\"Connected\"") >= 1);
        Assert.Contains("scheduler_adoption_lag{", after.Text);
    }

    private static double Moved(Scrape before, Scrape after, string name, string label) => after.Value(name, label) - before.Value(name, label);

    private static async Task<Scrape> ScrapeAsync(HttpClient http) => new(await http.GetStringAsync("/metrics"));

    /// <summary>A Prometheus text exposition: the sum of a metric's samples, optionally those with one label.</summary>
    private sealed partial record Scrape(string Text)
    {
        public double Value(string name, string? label = null) => Text.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

        [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[-0-9.eE+]+)")]
        private static partial Regex Sample();
    }
}

/// <summary>Specs that read the process-wide meters run with no other spec beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsAlone
{
    public const string Name = "metrics, alone";
}
