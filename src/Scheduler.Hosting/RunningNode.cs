using Akka.Actor;

namespace Scheduler.Hosting;

/// <summary>
/// A started master, agent or standalone node: master ActorSystems and at most one agent. Stopping runs Akka's
/// CoordinatedShutdown, so an agent kills its tasks gracefully and a master leaves its cluster.
/// </summary>
public sealed class RunningNode : IAsyncDisposable
{
    private readonly IReadOnlyList<ActorSystem> _masters;

    public RunningNode(string description, IReadOnlyList<ActorSystem> masters, AgentHost? agent = null)
    {
        Description = description;
        _masters = masters;
        Agent = agent;
        WhenTerminated = Task.WhenAll(masters.Select(s => s.WhenTerminated).Append(agent?.WhenStopped ?? Task.CompletedTask));
    }

    /// <summary>One line for the operator, e.g. "master at 127.0.0.1:4053".</summary>
    public string Description { get; }

    public AgentHost? Agent { get; }

    /// <summary>The node's ActorSystems now: masters first, then the agent's current incarnation.</summary>
    public IReadOnlyList<ActorSystem> Systems => Agent is null ? _masters : [.. _masters, Agent.System];

    /// <summary>Completes when every part of the node has stopped (also when one shut itself down).</summary>
    public Task WhenTerminated { get; }

    /// <summary>Graceful stop: the agent first (it kills and journals its tasks, then tells the Master), then masters.</summary>
    public async Task StopAsync()
    {
        if (Agent is not null)
        {
            await Agent.StopAsync().ConfigureAwait(false);
        }

        foreach (var system in _masters.Reverse())
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
