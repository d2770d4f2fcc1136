using Akka.Actor;

namespace Scheduler.Hosting;

/// <summary>
/// A started master, agent or standalone node (one or two ActorSystems). Stopping runs Akka's
/// CoordinatedShutdown, so an agent kills its tasks gracefully and a master leaves its cluster.
/// </summary>
public sealed class RunningNode : IAsyncDisposable
{
    private readonly IReadOnlyList<ActorSystem> _systems;

    public RunningNode(string description, IReadOnlyList<ActorSystem> systems)
    {
        Description = description;
        _systems = systems;
        WhenTerminated = Task.WhenAll(systems.Select(s => s.WhenTerminated));
    }

    /// <summary>One line for the operator, e.g. "master at 127.0.0.1:4053".</summary>
    public string Description { get; }

    public IReadOnlyList<ActorSystem> Systems => _systems;

    /// <summary>Completes when every ActorSystem of the node has terminated (also when one shut itself down).</summary>
    public Task WhenTerminated { get; }

    /// <summary>Graceful stop: agents first (they kill and journal their tasks, then tell the Master), then masters.</summary>
    public async Task StopAsync()
    {
        foreach (var system in _systems.Reverse())
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
