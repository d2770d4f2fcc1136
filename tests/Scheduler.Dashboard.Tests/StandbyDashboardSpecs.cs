using System.Net.Http.Json;
using System.Text.Json;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Serialization;
using Scheduler.Hosting;
using Scheduler.TestKit;

namespace Scheduler.Dashboard.Tests;

/// <summary>
/// The dashboard of a standby master (three masters on PostgreSQL; the scheduler runs on the oldest): it asks its own
/// node's singleton proxy, which forwards to the scheduler wherever it runs, so it shows and does the same.
/// </summary>
public sealed class StandbyDashboardSpecs(PostgreSqlFixture postgres) : IClassFixture<PostgreSqlFixture>
{
    private static readonly JsonSerializerOptions Json = SchedulerSerializer.CreateOptions();

    [Fact]
    public async Task A_standby_masters_dashboard_should_answer_from_the_scheduler_on_another_master()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Masters = 3, PostgreSql = postgres.Server, Partitionable = false, Agents = ["a1"],
        });
        var active = (await cluster.StatusAsync()).Node;
        var standby = Enumerable.Range(0, 3).First(i => SchedulerNodes.Address(cluster.Masters[i]) != active);
        var dashboard = await cluster.StartDashboardAsync(standby);
        using var http = new HttpClient { BaseAddress = dashboard.Url };

        var status = await http.GetFromJsonAsync<MasterStatus>("/api/status", Json);
        Assert.Equal(active, status!.Node);
        Assert.NotEqual(SchedulerNodes.Address(cluster.Masters[standby]), status.Node);
        Assert.Equal("postgresql", status.JournalKind);

        var agent = Assert.Single((await http.GetFromJsonAsync<List<AgentView>>("/api/agents", Json))!);
        Assert.Equal(("a1", AgentState.Connected), (agent.Name, agent.State));

        http.DefaultRequestHeaders.Add(DashboardApi.ActionHeader, "1");
        var paused = await (await http.PostAsync("/api/pause", null)).Content.ReadFromJsonAsync<MasterStatus>(Json);
        Assert.True(paused!.Paused);
        Assert.True((await cluster.StatusAsync()).Paused);
    }
}
