using Akka.Actor;
using Scheduler.Dashboard;

namespace Scheduler.Hosting;

/// <summary>
/// A started master, agent or standalone node: at most one master and one agent. Stopping runs Akka's
/// CoordinatedShutdown, so an agent kills its tasks gracefully and a master leaves its cluster.
/// </summary>
public sealed class RunningNode : IAsyncDisposable
{
    public RunningNode(string description, MasterHost? master, AgentHost? agent = null, DashboardServer? dashboard = null)
    {
        Description = description;
        Master = master;
        Agent = agent;
        Dashboard = dashboard;
        WhenTerminated = Task.WhenAll(new[] { master?.WhenStopped, agent?.WhenStopped }.OfType<Task>());
    }

    /// <summary>One line for the operator, e.g. "master at 127.0.0.1:4053".</summary>
    public string Description { get; }

    public MasterHost? Master { get; }

    public AgentHost? Agent { get; }

    /// <summary>The master's dashboard (an agent's metrics endpoint); null when off or its port was in use.</summary>
    public DashboardServer? Dashboard { get; }

    /// <summary>The node's ActorSystems now: the master's, then the agent's current incarnation.</summary>
    public IReadOnlyList<ActorSystem> Systems => new[] { Master?.System, Agent?.System }.OfType<ActorSystem>().ToList();

    /// <summary>Completes when every part of the node has stopped (also when one shut itself down).</summary>
    public Task WhenTerminated { get; }

    /// <summary>Graceful stop: the agent first (it kills and journals its tasks, then tells the Master), then the master.</summary>
    public async Task StopAsync()
    {
        if (Agent is not null)
        {
            await Agent.StopAsync().ConfigureAwait(false);
        }

        if (Master is not null)
        {
            await Master.StopAsync().ConfigureAwait(false);
        }

        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
