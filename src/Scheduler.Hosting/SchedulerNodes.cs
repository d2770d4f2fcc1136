using Akka;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Processes;
using Scheduler.Contracts;
using Scheduler.Contracts.Serialization;
using Scheduler.Dashboard;
using Scheduler.Core.Security;
using Scheduler.Hosting.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;
using Scheduler.Master;
using Scheduler.Master.History;

namespace Scheduler.Hosting;

/// <summary>Starts the three kinds of node the <c>scheduler</c> command runs.</summary>
public static class SchedulerNodes
{
    public const int DefaultMasterPort = 4053;
    public const string AgentSystemName = "scheduler-agent";
    public const string StandaloneAgentName = "local";

    /// <summary>A master: cluster member with role <c>master</c>, hosting the scheduler singleton. Throws ConfigurationException.</summary>
    public static async Task<RunningNode> StartMasterAsync(NodeOptions options)
    {
        SchedulerLogging.Configure();
        var overrides = PausedOverride(options);
        if (options.DataDir is { } dir)
        {
            overrides = NodeConfig.Set("scheduler.master.data-dir", dir).WithFallback(overrides);
        }

        var (config, origin) = NodeConfig.Load(options, Endpoint(options).WithFallback(overrides));
        if (options.Seeds is { Count: > 0 } seeds)
        {
            // --seed HOST:PORT becomes an address of the protocol the file's scheduler.tls gives (akka.tcp or akka.ssl.tcp).
            var tls = NodeConfig.Read(() => TlsSettings.Create(config, origin)).Enabled;
            config = NodeConfig.SetList("akka.cluster.seed-nodes", seeds.Select(seed => SeedAddress(seed, tls))).WithFallback(config);
        }

        var dashboard = NodeConfig.Read(() => DashboardSettings.Create(DashboardOverride(options).WithFallback(config), origin));
        var master = MasterHost.Start(config, origin, options.Host ?? "127.0.0.1", options.Port ?? DefaultMasterPort);
        WarnIfPlaintext(master.System);
        return new RunningNode($"master at {Address(master.System)}", master,
            dashboard: await StartDashboardAsync(dashboard, master, MasterMetrics.MeterName).ConfigureAwait(false));
    }

    /// <summary>An agent: not a cluster member; reaches the masters through ClusterClient. Throws ConfigurationException.</summary>
    public static async Task<RunningNode> StartAgentAsync(NodeOptions options)
    {
        SchedulerLogging.Configure();
        var (config, origin) = NodeConfig.Load(options,
            Endpoint(options).WithFallback(AgentOverrides(options.AgentName, options.DataDir, options.MasterContacts, options.Labels)));
        var metrics = NodeConfig.Read(() => DashboardSettings.Create(config.WithFallback(AgentSettings.DefaultConfig), origin, DashboardSettings.AgentMetricsUrlKey));
        var agent = AgentHost.Start(config, origin, options.Host ?? "127.0.0.1", options.Port ?? 0, TimeProvider.System);
        WarnIfPlaintext(agent.System);
        var endpoint = metrics.Url is { } url ? await DashboardServer.StartMetricsAsync(url, AgentMetrics.MeterName).ConfigureAwait(false) : null;
        return new RunningNode($"agent at {Address(agent.System)}", master: null, agent, endpoint);
    }

    /// <summary>A master and an agent named <c>local</c> in one process, journals under <c>DataDir</c>.</summary>
    public static async Task<RunningNode> StartStandaloneAsync(NodeOptions options)
    {
        SchedulerLogging.Configure();
        var dataDir = options.DataDir ?? "./data";
        var masterOverrides = NodeConfig.Set("scheduler.master.data-dir", Path.Combine(dataDir, "master")).WithFallback(PausedOverride(options));
        var (masterConfig, origin) = NodeConfig.Load(options, Endpoint(options with { Host = null }).WithFallback(masterOverrides));
        var dashboard = NodeConfig.Read(() => DashboardSettings.Create(DashboardOverride(options).WithFallback(masterConfig), origin));
        var master = MasterHost.Start(masterConfig, origin, "127.0.0.1", options.Port ?? DefaultMasterPort);
        try
        {
            var masterAddress = Address(master.System);
            var agentDir = Path.Combine(dataDir, "agent-" + StandaloneAgentName);
            // The file's remoting port is the master's; the local agent always takes any free port.
            var agentEndpoint = Endpoint(new NodeOptions(Host: "127.0.0.1", Port: 0));
            var (agentConfig, _) = NodeConfig.Load(options,
                agentEndpoint.WithFallback(AgentOverrides(StandaloneAgentName, agentDir, [masterAddress], options.Labels)));
            var masterSettings = NodeConfig.Read(() => MasterSettings.Create(masterConfig, origin));
            var agentSettings = NodeConfig.Read(() => AgentSettings.Create(agentConfig, origin));
            NodeConfig.Read(() => masterSettings.CheckedAgainstAgentWindow(agentSettings.ReconnectWindow, agentSettings.KillGrace, origin));
            var agent = AgentHost.Start(agentConfig, origin, "127.0.0.1", 0, TimeProvider.System);
            WarnIfPlaintext(master.System);
            return new RunningNode($"standalone master at {masterAddress} with agent '{StandaloneAgentName}'", master, agent,
                await StartDashboardAsync(dashboard, master, MasterMetrics.MeterName, AgentMetrics.MeterName).ConfigureAwait(false));
        }
        catch
        {
            master.System.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>
    /// Starts a master ActorSystem; tests call this with their own config (port 0, fast timings).
    /// <paramref name="host"/> and <paramref name="port"/> apply where the config sets none.
    /// </summary>
    public static ActorSystem StartMasterSystem(Config config, string origin, string host, int port) =>
        StartMaster(config, origin, host, port).System;

    /// <summary>A master ActorSystem with what <see cref="MasterHost"/> needs to rejoin: its settings and database probe.</summary>
    internal static StartedMaster StartMaster(Config config, string origin, string host, int port)
    {
        var settings = NodeConfig.Read(() => MasterSettings.Create(config, origin));
        RefuseSharedSqlite(settings, config, origin, host, port);
        var (transportConfig, security) = Transport(config, origin);
        var (system, database) = StartMasterOnJournal(settings, origin, security,
            transportConfig.WithFallback(AkkaHocon.Master(host, port, settings.LostAfter)).WithFallback(MasterSettings.DefaultConfig));

        // Start the journal and snapshot store now (they create their tables and connect), and rehearse a recovery
        // on them: a standby master that takes the singleton over then recovers at once instead of initializing its
        // plugins first (seen: 9 s on a loaded machine) and running the recovery path for the first time (1.6-2.3 s).
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        persistence.JournalFor(null);
        persistence.SnapshotStoreFor(null);
        system.ActorOf(RecoveryRehearsal.Props(), "recovery-rehearsal");

        var cluster = Cluster.Get(system);
        if (cluster.Settings.SeedNodes.Count == 0)
        {
            cluster.Join(cluster.SelfAddress);
        }

        system.ActorOf(ClusterSingletonManager.Props(
                SchedulerGuard.Props(settings, TimeProvider.System, database),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(SchedulerPaths.MasterRole)),
            "scheduler");
        var proxy = system.ActorOf(ClusterSingletonProxy.Props(
                "/user/scheduler",
                ClusterSingletonProxySettings.Create(system).WithRole(SchedulerPaths.MasterRole)),
            "scheduler-proxy");
        ClusterClientReceptionist.Get(system).RegisterService(proxy);
        TellClientsFirstOnStop(system);
        return new StartedMaster(system, settings, database);
    }

    /// <summary>
    /// A master that stops gracefully (SIGTERM, or giving up on its database) stops its receptionist first, while its
    /// remoting still works: the receptionist then tells its ClusterClients (agents, long-lived clients), and they move
    /// to another master at once. Left to Akka it says so only as the ActorSystem terminates, and that notice was lost
    /// in 1 of 4 real-process SIGTERMs: the agent then talked to the stopped master until its ClusterClient's failure
    /// detector gave up (15 s by default).
    /// </summary>
    private static void TellClientsFirstOnStop(ActorSystem system) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-receptionist", async () =>
        {
            // False when not stopped in time: the shutdown goes on, and clients notice by their failure detector.
            await ClusterClientReceptionist.Get(system).Underlying.GracefulStop(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return Done.Instance;
        });

    /// <summary>
    /// Masters of one cluster share their journal, and a SQLite file cannot be shared between hosts: a master
    /// whose seed nodes name any other master must use PostgreSQL.
    /// </summary>
    private static void RefuseSharedSqlite(MasterSettings settings, Config config, string origin, string host, int port)
    {
        if (settings.JournalKind != JournalKind.Sqlite)
        {
            return;
        }

        var own = config.HasPath("akka.remote.dot-netty.tcp.port") ? config.GetInt("akka.remote.dot-netty.tcp.port") : port;
        var ownHost = config.HasPath("akka.remote.dot-netty.tcp.hostname") ? config.GetString("akka.remote.dot-netty.tcp.hostname") : host;
        var seeds = config.HasPath("akka.cluster.seed-nodes") ? config.GetStringList("akka.cluster.seed-nodes") : [];
        var others = seeds.Where(seed => !seed.EndsWith($"@{ownHost}:{own}", StringComparison.Ordinal)).ToList();
        if (others.Count > 0)
        {
            throw new ConfigurationException(
                $"{origin}: scheduler.master.journal.kind = sqlite cannot serve a cluster of several masters "
                + $"(akka.cluster.seed-nodes names {string.Join(", ", others)}); use postgresql, the journal all masters share");
        }
    }

    /// <summary>
    /// A SQLite master locks its data folder and keeps its journal there; a PostgreSQL master shares nothing on
    /// disk (several may run on one host). Both get circuit breakers that let the first retry after an outage through.
    /// </summary>
    private static (ActorSystem System, MasterDatabase Database) StartMasterOnJournal(
        MasterSettings settings, string origin, TransportSecurity? security, Config config)
    {
        var refresh = TimeSpan.FromMilliseconds(200);
        if (settings.JournalKind == JournalKind.Sqlite)
        {
            var sqlite = StartLockedSystem(SchedulerPaths.SystemName, settings.DataDir, "master", JournalOwner.Master, settings.JournalPath, security,
                config.WithFallback(SqlPersistenceHocon.Breakers(settings.DbRetryInterval, TimeSpan.FromSeconds(20)))
                    .WithFallback(SqliteJournal.Hocon(settings.JournalPath, refresh)),
                SqliteJournal.DataOptions(settings.JournalPath));
            var connectionString = SqliteJournal.ConnectionString(settings.JournalPath);
            return (sqlite, new MasterDatabase(new SqliteProbe(settings.JournalPath),
                new TaskHistoryStore(() => new SqliteConnection(connectionString))));
        }

        var postgres = PostgresConnectionString(settings.ConnectionString, origin, security);
        var full = config
            .WithFallback(SqlPersistenceHocon.Breakers(settings.DbRetryInterval, PostgresJournal.CallLimit(postgres)))
            .WithFallback(PostgresJournal.Hocon(postgres, refresh))
            .WithFallback(SerializationConfig.Hocon)
            .WithFallback(SchedulerLogging.AkkaHocon);
        return (CreateSystem(SchedulerPaths.SystemName, full, security),
            new MasterDatabase(new PostgresProbe(postgres), new TaskHistoryStore(() => new NpgsqlConnection(postgres))));
    }

    private static string PostgresConnectionString(string configured, string origin, TransportSecurity? security)
    {
        try
        {
            return PostgresJournal.ConnectionString(configured);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            security?.Dispose();
            // The message names the bad keyword; the string itself may hold a password, so it is not shown.
            throw new ConfigurationException($"{origin}: scheduler.master.journal.connection-string is invalid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Starts one agent ActorSystem incarnation (<see cref="AgentHost"/> runs and replaces them).
    /// <paramref name="host"/> and <paramref name="port"/> apply where the config sets none.
    /// </summary>
    public static ActorSystem StartAgentSystem(Config config, string origin, string host, int port, TimeProvider time, AgentRuntime runtime)
    {
        var settings = NodeConfig.Read(() => AgentSettings.Create(config, origin));
        var (transportConfig, security) = Transport(config, origin);
        var system = StartLockedSystem(AgentSystemName, settings.DataDir, $"agent '{settings.Name}'", JournalOwner.Agent, settings.JournalPath, security,
            transportConfig.WithFallback(AkkaHocon.Agent(host, port)).WithFallback(AgentSettings.DefaultConfig)
                .WithFallback(SqliteTaskJournal.Hocon(settings.JournalPath)));
        var identity = new AgentIdentity(AgentIdentity.LoadOrCreateJournalId(settings.DataDir), AgentIdentity.NextIncarnation(time, runtime.LastIncarnation));
        runtime.LastIncarnation = identity.Incarnation;
        Subreaper.TryEnable();
        var agent = system.ActorOf(AgentActor.Props(settings, identity, runtime, time), "agent");

        // A graceful stop kills the running tasks (reason "agent stopped"), journals that and hands it to the Master.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "kill-tasks", async () =>
        {
            await agent.Ask<Done>(new ShutdownAgent(TimeSpan.FromSeconds(1)), settings.KillGrace + TimeSpan.FromSeconds(10))
                .ConfigureAwait(false);
            return Done.Instance;
        });
        return system;
    }

    /// <summary>
    /// Locks the node's data folder (one process per SQLite journal), switches the journal to WAL and starts
    /// the ActorSystem with the serializer and logging under <paramref name="config"/> (which names the journal plugin).
    /// The lock is released when the system terminates, or at once if it cannot start.
    /// </summary>
    private static ActorSystem StartLockedSystem(
        string name, string dataDir, string what, JournalOwner owner, string journalPath, TransportSecurity? security,
        Config config, params Setup[] setups)
    {
        DataFolderLock? folderLock = null;
        try
        {
            folderLock = DataFolderLock.Acquire(dataDir, what);
            SqliteJournal.Prepare(journalPath, owner);
            var full = config
                .WithFallback(SerializationConfig.Hocon)
                .WithFallback(SchedulerLogging.AkkaHocon);
            var system = CreateSystem(name, full, security, setups);
            system.RegisterOnTermination(folderLock.Dispose);
            return system;
        }
        catch
        {
            folderLock?.Dispose();
            security?.Dispose();
            throw;
        }
    }

    /// <summary>The HOST:PORT a node's remoting is bound to (the real port when 0 was asked for).</summary>
    public static string Address(ActorSystem system)
    {
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        return $"{address.Host}:{address.Port}";
    }

    /// <summary>
    /// Host and port given on the command line win over the --config file; without them the file's
    /// akka.remote.dot-netty.tcp settings apply, then the defaults (127.0.0.1, master 4053, agent any free port).
    /// </summary>
    private static Config Endpoint(NodeOptions options)
    {
        var config = ConfigurationFactory.Empty;
        if (options.Host is { } host)
        {
            config = NodeConfig.Set("akka.remote.dot-netty.tcp.hostname", host);
        }

        if (options.Port is { } port)
        {
            config = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {port}").WithFallback(config);
        }

        return config;
    }

    /// <summary>A seed master's HOST:PORT as the actor-system address Akka joins.</summary>
    public static string SeedAddress(string hostPort, bool tls = false) =>
        $"{(tls ? TransportSecurity.TlsProtocol : TransportSecurity.PlainProtocol)}://{SchedulerPaths.SystemName}@{hostPort}";

    /// <summary>
    /// <c>scheduler.tls</c> for a node's ActorSystem: the HOCON on top of <paramref name="config"/> that turns mutual TLS
    /// on, and the loaded certificates (null when off). Seed nodes must speak the same protocol: a master with TLS on
    /// would otherwise try to join <c>akka.tcp://</c> addresses it has no transport for.
    /// </summary>
    private static (Config Config, TransportSecurity? Security) Transport(Config config, string origin)
    {
        var tls = NodeConfig.Read(() => TlsSettings.Create(config, origin));
        var protocol = SeedProtocol(config, tls);
        var seeds = config.HasPath("akka.cluster.seed-nodes") ? config.GetStringList("akka.cluster.seed-nodes") : [];
        if (seeds.FirstOrDefault(seed => !seed.StartsWith(protocol + "://", StringComparison.Ordinal)) is { } wrong)
        {
            throw new ConfigurationException(
                $"{origin}: akka.cluster.seed-nodes has '{wrong}', but with scheduler.tls.enabled = {(tls.Enabled ? "on" : "off")} every seed is {protocol}://{SchedulerPaths.SystemName}@HOST:PORT");
        }

        return tls.Enabled
            ? (TransportSecurity.Hocon.WithFallback(config), NodeConfig.Read(() => TransportSecurity.Load(tls, origin)))
            : (config, null);
    }

    /// <summary>
    /// The protocol of this node's addresses: plain or TLS, prefixed by each transport adapter it applies (Akka names
    /// the throttler's addresses, which Scheduler.TestKit uses to cut links, <c>akka.trttl.tcp://</c>).
    /// </summary>
    private static string SeedProtocol(Config config, TlsSettings tls)
    {
        var scheme = TransportSecurity.Protocol(tls)["akka.".Length..];
        var adapters = config.HasPath("akka.remote.dot-netty.tcp.applied-adapters")
            ? config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters")
            : [];
        return "akka." + adapters.Aggregate(scheme, (wrapped, adapter) => $"{adapter}.{wrapped}");
    }

    /// <summary>One warning line at start for a node reachable beyond loopback without TLS (anyone there could run commands).</summary>
    private static void WarnIfPlaintext(ActorSystem system)
    {
        if (TransportSecurity.PlaintextWarning(system.Settings.Config) is { } warning)
        {
            Serilog.Log.Warning("{Warning}", warning);
        }
    }

    /// <summary>The master's dashboard, asking the node's current ActorSystem; null when off or its port is in use.</summary>
    private static async Task<DashboardServer?> StartDashboardAsync(DashboardSettings settings, MasterHost master, params string[] meters) =>
        settings.Url is { } url ? await DashboardServer.StartAsync(url, () => master.System, Address(master.System), meters).ConfigureAwait(false) : null;

    /// <summary><c>--dashboard URL|off</c> over the file's <c>scheduler.master.dashboard.url</c>.</summary>
    private static Config DashboardOverride(NodeOptions options) =>
        options.Dashboard is { } url ? NodeConfig.Set(DashboardSettings.UrlKey, url) : ConfigurationFactory.Empty;

    private static Config PausedOverride(NodeOptions options) => options.Paused is { } paused
        ? ConfigurationFactory.ParseString($"scheduler.master.start-paused = {(paused ? "on" : "off")}")
        : ConfigurationFactory.Empty;

    private static Config AgentOverrides(string? name, string? dataDir, IReadOnlyList<string>? masters, IReadOnlyList<string>? labels)
    {
        var overrides = ConfigurationFactory.Empty;
        if (name is not null)
        {
            overrides = NodeConfig.Set("scheduler.agent.name", name).WithFallback(overrides);
        }

        if (dataDir is not null)
        {
            overrides = NodeConfig.Set("scheduler.agent.data-dir", dataDir).WithFallback(overrides);
        }

        if (masters is { Count: > 0 })
        {
            overrides = NodeConfig.SetList("scheduler.agent.masters", masters).WithFallback(overrides);
        }

        if (labels is { Count: > 0 })
        {
            overrides = NodeConfig.SetList("scheduler.agent.labels", labels).WithFallback(overrides);
        }

        return overrides;
    }

    /// <summary>An ActorSystem with <paramref name="setups"/> and, with TLS, the certificates (released when it terminates).</summary>
    private static ActorSystem CreateSystem(string name, Config config, TransportSecurity? security, params Setup[] setups)
    {
        Setup[] all = [BootstrapSetup.Create().WithConfig(config), .. setups, .. security is null ? Array.Empty<Setup>() : [security.Setup()]];
        try
        {
            var system = ActorSystem.Create(name, ActorSystemSetup.Create(all));
            if (security is not null)
            {
                system.RegisterOnTermination(security.Dispose);
            }

            return system;
        }
        catch (Exception e)
        {
            security?.Dispose();
            throw new ConfigurationException($"cannot start: {e.GetBaseException().Message}", e);
        }
    }
}

/// <summary>A started master ActorSystem, its settings, and its database (the probe checks it while the node is out of the cluster).</summary>
internal sealed record StartedMaster(ActorSystem System, MasterSettings Settings, MasterDatabase Database);
