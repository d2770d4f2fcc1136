using Akka.Actor;
using Akka.Configuration;
using Scheduler.Agent;
using Serilog;

namespace Scheduler.Hosting;

/// <summary>
/// Runs an agent's ActorSystem and, when the agent asks (the Master quarantined it after a long silence),
/// replaces it with a new incarnation on the same port. Task processes and the reconnect window live in
/// the <see cref="AgentRuntime"/>, outside the ActorSystem, so running tasks survive the replacement.
/// </summary>
/// <remarks>
/// The old system's connections leave the port in TIME_WAIT for up to a minute, so the new incarnation binds
/// it with <c>tcp-reuse-addr = on</c> (SO_REUSEADDR and SO_REUSEPORT in .NET). Another agent process still
/// cannot take the port: it binds without reuse, and Linux shares a port only among sockets that all ask for it.
/// </remarks>
public sealed class AgentHost
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxStartAttempts = 60;

    private readonly Func<Config, ActorSystem> _startSystem;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private bool _replacing;
    private bool _stopping;

    private AgentHost(Func<Config, ActorSystem> startSystem, AgentRuntime runtime)
    {
        _startSystem = startSystem;
        Runtime = runtime;
        runtime.OnNewIncarnationRequested(reason => _ = ReplaceAsync(reason));
        System = startSystem(ConfigurationFactory.Empty);
        Follow(System);
    }

    /// <summary>The current incarnation.</summary>
    public ActorSystem System { get; private set; }

    public AgentRuntime Runtime { get; }

    /// <summary>How many times the ActorSystem was replaced.</summary>
    public int Replacements { get; private set; }

    /// <summary>Completes when the agent stopped for good (not when one incarnation makes way for the next).</summary>
    public Task WhenStopped => _stopped.Task;

    /// <summary>Starts an agent; later incarnations bind the port the first one got.</summary>
    public static AgentHost Start(Config config, string origin, string host, int port, TimeProvider time, AgentRuntime? runtime = null)
    {
        runtime ??= new AgentRuntime(startedAt: time.GetUtcNow());
        return new AgentHost(overrides => SchedulerNodes.StartAgentSystem(overrides.WithFallback(config), origin, host, port, time, runtime), runtime);
    }

    /// <summary>Graceful stop (as on SIGTERM): the agent kills and journals its tasks, then the system ends.</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await WhenStopped.ConfigureAwait(false);
    }

    private void Follow(ActorSystem system) =>
        system.WhenTerminated.ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (_replacing && !_stopping)
                {
                    return;
                }
            }

            _stopped.TrySetResult();
        }, TaskScheduler.Default);

    private async Task ReplaceAsync(string reason)
    {
        lock (_gate)
        {
            if (_replacing || _stopping)
            {
                return;
            }

            _replacing = true;
        }

        var port = ((ExtendedActorSystem)System).Provider.DefaultAddress.Port;
        var samePort = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{ port = {port}, tcp-reuse-addr = on }}");
        Log.Warning("Agent: replacing actor system {Address} with a new incarnation ({Reason}); running tasks continue",
            SchedulerNodes.Address(System), reason);
        // Terminate, not CoordinatedShutdown: the kill-tasks step must not run for a replacement.
        await System.Terminate().ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var next = _startSystem(samePort);
                lock (_gate)
                {
                    System = next;
                    Replacements++;
                    _replacing = false;
                }

                Follow(next);
                Log.Information("Agent: new incarnation started at {Address}", SchedulerNodes.Address(next));
                return;
            }
            catch (ConfigurationException e) when (attempt < MaxStartAttempts && !_stopping)
            {
                // The old system's port or data folder lock may take a moment to be released.
                Log.Warning("Agent: the new incarnation could not start (attempt {Attempt}): {Error}; retrying in {Delay}", attempt, e.Message, RetryDelay);
                await Task.Delay(RetryDelay).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.Error(e, "Agent: no new incarnation could start; the agent stops");
                _stopped.TrySetException(e);
                return;
            }
        }
    }
}
