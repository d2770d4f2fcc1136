using Akka.Actor;
using Akka.Configuration;
using Scheduler.Core.Configuration;
using Scheduler.Master;
using Serilog;

namespace Scheduler.Hosting;

/// <summary>
/// Runs a master's ActorSystem. When the master made way for another because its database stayed unavailable
/// past <c>scheduler.master.db.give-up-after</c> (<see cref="DatabaseMadeWay"/>: it left the cluster, so another
/// master took the singleton over at once), the node does not end: it checks its database every
/// <c>db.retry-interval</c> and, once it answers, starts a new ActorSystem on the same port that joins the cluster
/// again as a new member — a standby again, ready for the next hand-over. Any other end of the system ends the node.
/// </summary>
/// <remarks>
/// A cluster member that left cannot join again; a new ActorSystem (a new member UID) can. It joins through the
/// masters that were up when it left, never by itself: it must not form a second cluster beside the running one.
/// The old system's connections leave the port in TIME_WAIT, so the new one binds it with <c>tcp-reuse-addr = on</c>.
/// </remarks>
public sealed class MasterHost
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);
    private const int MaxStartAttempts = 30;

    private readonly Func<Config, StartedMaster> _start;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private StartedMaster _current;
    private Task? _rejoin;

    private MasterHost(Func<Config, StartedMaster> start)
    {
        _start = start;
        _current = start(ConfigurationFactory.Empty);
        Follow(_current);
    }

    /// <summary>The current ActorSystem (terminated while the node waits for its database to rejoin).</summary>
    public ActorSystem System
    {
        get
        {
            lock (_gate)
            {
                return _current.System;
            }
        }
    }

    /// <summary>How many times the node rejoined the cluster after making way.</summary>
    public int Rejoins { get; private set; }

    /// <summary>Whether the node is out of the cluster, waiting for its database to rejoin.</summary>
    public bool IsWaitingToRejoin
    {
        get
        {
            lock (_gate)
            {
                return _rejoin is not null;
            }
        }
    }

    /// <summary>Completes when the master stopped for good (not when it made way to rejoin later).</summary>
    public Task WhenStopped => _stopped.Task;

    /// <summary>Starts a master; a later system (after making way) binds the port the first one got.</summary>
    public static MasterHost Start(Config config, string origin, string host, int port) =>
        new(overrides => SchedulerNodes.StartMaster(overrides.WithFallback(config), origin, host, port));

    /// <summary>Graceful stop (SIGTERM): the master leaves the cluster; a wait to rejoin ends.</summary>
    public async Task StopAsync()
    {
        await EndRejoinAsync().ConfigureAwait(false);
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await WhenStopped.ConfigureAwait(false);
    }

    /// <summary>Stops without leaving the cluster, as a crash would: the others must detect it (tests use this as kill -9).</summary>
    public async Task AbortAsync()
    {
        await EndRejoinAsync().ConfigureAwait(false);
        await System.Terminate().ConfigureAwait(false);
        await WhenStopped.ConfigureAwait(false);
    }

    private async Task EndRejoinAsync()
    {
        Task? rejoin;
        lock (_gate)
        {
            _stopping.Cancel();
            rejoin = _rejoin;
        }

        if (rejoin is not null)
        {
            await rejoin.ConfigureAwait(false);
        }
    }

    /// <summary>The end of the current system ends the node, unless it made way for another master.</summary>
    private void Follow(StartedMaster master) =>
        master.System.WhenTerminated.ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (CoordinatedShutdown.Get(master.System).ShutdownReason is DatabaseMadeWay madeWay && !_stopping.IsCancellationRequested)
                {
                    _rejoin = Task.Run(() => RejoinAsync(master, madeWay));
                    return;
                }
            }

            _stopped.TrySetResult();
        }, TaskScheduler.Default);

    private async Task RejoinAsync(StartedMaster old, DatabaseMadeWay madeWay)
    {
        var settings = old.Settings;
        var address = SchedulerNodes.Address(old.System);
        Log.Warning("Master {Address} left the cluster (its database is unavailable); checking the database every {RetryInterval} "
                    + "to rejoin through {OtherMasters}", address, Durations.Format(settings.DbRetryInterval), string.Join(", ", madeWay.OtherMasters));
        try
        {
            await WaitForDatabaseAsync(old, _stopping.Token).ConfigureAwait(false);
            var next = await StartAgainAsync(old, madeWay, _stopping.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _current = next;
                Rejoins++;
                _rejoin = null;
            }

            Follow(next);
            Log.Information("Master {Address}: the database answers again; the master rejoined the cluster as a new member", address);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            lock (_gate)
            {
                _rejoin = null;
            }

            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            Log.Error(e, "Master {Address} could not rejoin the cluster; the node stops", address);
            lock (_gate)
            {
                _rejoin = null;
            }

            _stopped.TrySetException(e);
        }
    }

    private static async Task WaitForDatabaseAsync(StartedMaster old, CancellationToken stopping)
    {
        var settings = old.Settings;
        for (var check = 1; ; check++)
        {
            await Task.Delay(settings.DbRetryInterval, stopping).ConfigureAwait(false);
            if (await old.Database.Probe.TryCheckAsync(settings.DbCheckTimeout).ConfigureAwait(false) is not { } error)
            {
                // Pooled connections from before the outage would fail their first command once.
                old.Database.Probe.ResetConnections();
                return;
            }

            Log.Information("Master out of the cluster: database check {Check} failed: {Error}; next in {RetryInterval}",
                check, error, Durations.Format(settings.DbRetryInterval));
        }
    }

    /// <summary>
    /// A new system on the old port whose seed nodes are the masters that were up, then those configured, never
    /// itself first: the first seed node may form a cluster of its own, the others only join one.
    /// </summary>
    private async Task<StartedMaster> StartAgainAsync(StartedMaster old, DatabaseMadeWay madeWay, CancellationToken stopping)
    {
        var self = ((ExtendedActorSystem)old.System).Provider.DefaultAddress;
        var configured = old.System.Settings.Config.GetStringList("akka.cluster.seed-nodes") ?? [];
        var seeds = madeWay.OtherMasters.Concat(configured).Where(seed => seed != self.ToString()).Distinct().ToList();
        var rejoin = NodeConfig.SetList("akka.cluster.seed-nodes", seeds)
            .WithFallback(ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{ port = {self.Port}, tcp-reuse-addr = on }}"));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return _start(rejoin);
            }
            catch (ConfigurationException e) when (attempt < MaxStartAttempts)
            {
                // The old system's port may take a moment to be released.
                Log.Warning("Master: the new system could not start (attempt {Attempt}): {Error}; retrying in {Delay}", attempt, e.Message, RestartDelay);
                await Task.Delay(RestartDelay, stopping).ConfigureAwait(false);
            }
        }
    }
}
