using Scheduler.Dashboard;
using Scheduler.Hosting;

namespace Scheduler.TestKit;

public sealed partial class TestCluster
{
    private readonly List<DashboardServer> _dashboards = [];

    /// <summary>
    /// Starts the dashboard of a master (<paramref name="master"/>: its index in a cluster of several; the single master
    /// otherwise) on a free loopback port, as <c>scheduler master</c> does on its configured URL; stopped with the cluster.
    /// Its <c>/metrics</c> exports the masters' and the agents' meters of this process (as a standalone node does).
    /// </summary>
    public async Task<DashboardServer> StartDashboardAsync(int? master = null)
    {
        Func<Akka.Actor.ActorSystem> system = master is { } index ? () => MasterHosts[index].System : () => Master;
        var dashboard = await DashboardServer.StartAsync(new Uri("http://127.0.0.1:0"), system, SchedulerNodes.Address(system()),
                            Scheduler.Master.MasterMetrics.MeterName, Scheduler.Agent.AgentMetrics.MeterName)
                        ?? throw new InvalidOperationException("the dashboard could not bind a loopback port");
        _dashboards.Add(dashboard);
        return dashboard;
    }

    private async Task StopDashboardsAsync()
    {
        foreach (var dashboard in _dashboards)
        {
            await dashboard.DisposeAsync();
        }
    }
}
