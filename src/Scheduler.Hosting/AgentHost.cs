using Akka.Actor;
using Akka.Configuration;
using Scheduler.Agent;
using Serilog;

namespace Scheduler.Hosting;

/// <summary>
/// Runs an agent's ActorSystem and, when the agent asks (the Master quarantined it after a long silence),
/// replaces it with a new incarnation on the same port (any port if it stays taken). Task processes and the reconnect window live in
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
    private const int SamePortAttempts = 30;
    private const int MaxStartAttempts = 60;

    private readonly Func<Config, ActorSystem> _startSystem;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private Task? _replacement;
    private bool _stopping;

    private AgentHost(Func<Config, ActorSystem> startSystem, AgentRuntime runtime)
    {
        _startSystem = startSystem;
        Runtime = runtime;
        runtime.OnNewIncarnationRequested(RequestReplacement);
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

    /// <summary>
    /// Graceful stop (as on SIGTERM): the agent kills and journals its tasks, then the system ends. A replacement
    /// under way finishes first, so the new incarnation is the one that kills the tasks.
    /// </summary>
    public async Task StopAsync()
    {
        Task? replacement;
        lock (_gate)
        {
            _stopping = true;
            replacement = _replacement;
        }

        if (replacement is not null)
        {
            await replacement.ConfigureAwait(false);
        }

        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await WhenStopped.ConfigureAwait(false);
    }

    private void RequestReplacement(string reason)
    {
        lock (_gate)
        {
            if (_replacement is null && !_stopping)
            {
                _replacement = Task.Run(() => ReplaceAsync(reason));
            }
        }
    }

    /// <summary>Only the end of the current incarnation ends the agent; one that is being replaced makes way.</summary>
    private void Follow(ActorSystem system) =>
        system.WhenTerminated.ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (!ReferenceEquals(system, System) || _replacement is not null)
                {
                    return;
                }
            }

            _stopped.TrySetResult();
        }, TaskScheduler.Default);

    private async Task ReplaceAsync(string reason)
    {
        var old = System;
        var port = ((ExtendedActorSystem)old).Provider.DefaultAddress.Port;
        var samePort = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{ port = {port}, tcp-reuse-addr = on }}");
        var anyPort = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0");
        Log.Warning("Agent: replacing actor system {Address} with a new incarnation ({Reason}); running tasks continue",
            SchedulerNodes.Address(old), reason);
        // Terminate, not CoordinatedShutdown: the kill-tasks step must not run for a replacement.
        await old.Terminate().ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The same port first; if it stays taken, any port: the Master learns the address from the
                // agent's registration, not from configuration.
                var next = _startSystem(attempt <= SamePortAttempts ? samePort : anyPort);
                lock (_gate)
                {
                    System = next;
                    Replacements++;
                    _replacement = null;
                }

                Follow(next);
                Log.Information("Agent: new incarnation started at {Address}", SchedulerNodes.Address(next));
                return;
            }
            catch (ConfigurationException e) when (attempt < MaxStartAttempts)
            {
                // The old system's port or data folder lock may take a moment to be released.
                Log.Warning("Agent: the new incarnation could not start (attempt {Attempt}): {Error}; retrying in {Delay}", attempt, e.Message, RetryDelay);
                await Task.Delay(RetryDelay).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Nothing supervises the tasks any more: kill them rather than leave them running unseen.
                Log.Error(e, "Agent: no new incarnation could start; killing the running tasks and stopping");
                await Task.WhenAll(Runtime.Processes.All.Select(p => p.KillAsync(TimeSpan.FromSeconds(10)))).ConfigureAwait(false);
                lock (_gate)
                {
                    _replacement = null;
                }

                _stopped.TrySetException(e);
                return;
            }
        }
    }
}
