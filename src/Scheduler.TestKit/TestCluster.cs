using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Client;
using Scheduler.Agent.Processes;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Hosting;

namespace Scheduler.TestKit;

/// <summary>
/// Masters and agents as separate ActorSystems in this process on 127.0.0.1, each with its own folder under a temp
/// folder of the cluster's own (and port 0 where no port must be known in advance), with fast timings
/// (<see cref="TestHocon"/>). Requests go through a real ClusterClient, as integrators' requests do; journals are
/// real SQLite files or a real PostgreSQL database; tasks are real OS processes. Start one with
/// <see cref="StartAsync(TestClusterOptions)"/>; the partial files add fault injection (Faults), requests and
/// reads (Requests) and waits (Waits).
/// </summary>
public sealed partial class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, AgentHost> _agents = new();
    private readonly Dictionary<string, TestAgent> _agentOptions = new();
    private readonly TestClusterOptions _options;
    private readonly bool _ownsClient;
    private ActorSystem _client = null!;
    private IActorRef _clusterClient = null!;
    private RequestSenders _senders = null!;

    static TestCluster() => SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Debug);

    private readonly string _throttler;

    private TestCluster(string root, TestClusterOptions options, ActorSystem? client)
    {
        Root = root;
        _options = options;
        _throttler = options.Partitionable ? TestHocon.Throttler : "";
        Protocol = options.Partitionable ? "akka.trttl.tcp" : "akka.tcp";
        _ownsClient = client is null;
        _client = client!;
    }

    /// <summary>The remoting protocol of every system of this cluster.</summary>
    public string Protocol { get; }

    /// <summary>When the cluster was started: every task of its history was submitted after it.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The cluster's temp folder: every node's data and task logs are below it; deleted on dispose.</summary>
    public string Root { get; }

    /// <summary>The master of a single-master cluster (the first one of several: the oldest, where the singleton starts).</summary>
    public ActorSystem Master { get; private set; } = null!;

    /// <summary>HOST:PORT of <see cref="Master"/>.</summary>
    public string MasterAddress => SchedulerNodes.Address(Master);

    /// <summary>Every master of a cluster of several; index 0 is the first, the oldest.</summary>
    public List<MasterHost> MasterHosts { get; } = [];

    /// <summary>The current ActorSystem of each of <see cref="MasterHosts"/>.</summary>
    public IReadOnlyList<ActorSystem> Masters => MasterHosts.Select(h => h.System).ToList();

    /// <summary>What agents and the client contact: every master of a cluster of several, else the one.</summary>
    private IReadOnlyList<string> ContactAddresses => _haAddresses.Count > 0 ? _haAddresses : [MasterAddress];

    private readonly List<string> _haAddresses = [];

    /// <summary>Each master's settings, by index, so a crashed one can be started again as it was.</summary>
    private readonly List<Config> _masterConfigs = [];

    /// <summary>The OS processes of the agents' tasks (one table, as if all agents were one process, unless an agent got its own).</summary>
    public ProcessTable Processes { get; } = new();

    /// <summary>
    /// Starts the cluster <paramref name="options"/> describe and waits until every master is Up and every agent is
    /// Connected. <paramref name="client"/> is the ActorSystem requests are sent from (e.g. an Akka TestKit's own
    /// system, made with <see cref="ClientConfig"/>); by default the cluster makes one.
    /// </summary>
    public static async Task<TestCluster> StartAsync(TestClusterOptions options, ActorSystem? client = null)
    {
        options.Validate();
        var root = Path.Combine(Path.GetTempPath(), "scheduler-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var cluster = new TestCluster(root, options, client);
        try
        {
            var database = options.PostgreSql is null ? (_ => "") : await cluster.OpenDatabasePathsAsync(options.PostgreSql, options.Masters);
            if (options.Masters == 1)
            {
                cluster._databaseHocon = database(0);
                cluster.StartMaster();
            }
            else
            {
                await cluster.StartMastersAsync(options.Masters, i => options.MasterHocon + "\n" + database(i));
            }

            cluster.StartClient();
            foreach (var agent in options.Agents)
            {
                await cluster.StartAgentAsync(agent);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>One master on a SQLite file and the named agents, links that cannot be cut.</summary>
    public static Task<TestCluster> StartAsync(params string[] agents) => StartWithAsync("", partitionable: false, agents);

    /// <summary>One master on a SQLite file with <paramref name="masterHocon"/> over its test settings, and the named agents.</summary>
    public static Task<TestCluster> StartWithAsync(string masterHocon, bool partitionable, params string[] agents) =>
        StartAsync(new TestClusterOptions
        {
            MasterHocon = masterHocon, Partitionable = partitionable, Agents = agents.Select(a => (TestAgent)a).ToList(),
        });

    /// <summary>
    /// Settings for an ActorSystem that sends this kind of cluster requests: remoting on 127.0.0.1 port 0, the
    /// scheduler's serializer, and the throttler when the cluster is <paramref name="partitionable"/>.
    /// </summary>
    public static Config ClientConfig(bool partitionable) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        {{(partitionable ? TestHocon.Throttler : "")}}
        akka.loglevel = WARNING
        """).WithFallback(Contracts.Serialization.SerializationConfig.Hocon).WithFallback(AkkaHocon.ClusterClientWire);

    /// <summary>
    /// Several masters on fixed loopback ports, each seeding from all (so the first forms the cluster and is the
    /// oldest). Their ActorSystems stop without leaving the cluster when terminated (<see cref="CrashMasterAsync"/> is a kill -9).
    /// </summary>
    private async Task StartMastersAsync(int masters, Func<int, string> masterHocon)
    {
        var ports = Enumerable.Range(0, masters).Select(_ => LoopbackPorts.Free()).ToList();
        _haAddresses.AddRange(ports.Select(p => $"127.0.0.1:{p}"));
        var seeds = string.Join(", ", _haAddresses.Select(a => $"\"{Protocol}://{SchedulerPaths.SystemName}@{a}\""));
        for (var i = 0; i < masters; i++)
        {
            var hocon = TestHocon.Master(Path.Combine(Root, $"master-{i}"), $$"""
                {{_throttler}}
                {{masterHocon(i)}}
                akka.cluster.seed-nodes = [{{seeds}}]
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                """);
            _masterConfigs.Add(hocon);
            MasterHosts.Add(MasterHost.Start(hocon, "test", "127.0.0.1", ports[i]));
        }

        await WaitForMastersUpAsync(masters);
        Master = Masters[0];
    }

    /// <summary>Starts the Master on its data folder; a restart passes the old port so agents and the client find it again.</summary>
    public void StartMaster(int port = 0, string extraHocon = "") =>
        Master = SchedulerNodes.StartMasterSystem(
            TestHocon.Master(Path.Combine(Root, "master"), _throttler + "\n" + _options.MasterHocon + "\n" + _databaseHocon + "\n" + extraHocon),
            "test", "127.0.0.1", port);

    /// <summary>An agent's data folder (its journal and task logs).</summary>
    public string AgentDataDir(string name) => Path.Combine(Root, "agent-" + name);

    /// <summary>
    /// Starts an agent process (an <see cref="AgentHost"/> with its own runtime) and, unless told not to, waits until
    /// the Master shows it Connected. A new <paramref name="processes"/> table makes it a new OS process as far as tasks go.
    /// </summary>
    public async Task<AgentHost> StartAgentAsync(TestAgent agent, ProcessTable? processes = null, bool waitConnected = true, string extraHocon = "")
    {
        var masters = _haAddresses.Count == 0 ? "" : $"scheduler.agent.masters = [{string.Join(", ", _haAddresses.Select(a => $"\"{a}\""))}]";
        var settings = string.Join("\n", _throttler, masters, _options.AgentHocon, agent.Settings, extraHocon);
        var host = AgentHost.Start(TestHocon.Agent(agent.Name, AgentDataDir(agent.Name), ContactAddresses[0], settings), "test", "127.0.0.1", 0,
            TimeProvider.System, new AgentRuntime(processes ?? Processes));
        _agents[agent.Name] = host;
        _agentOptions[agent.Name] = agent;
        if (waitConnected)
        {
            await WaitForAgentAsync(agent.Name, AgentState.Connected);
        }

        return host;
    }

    /// <summary>The agent's current ActorSystem incarnation.</summary>
    public ActorSystem Agent(string name) => AgentHostOf(name).System;

    /// <summary>The agent's host: its incarnations, replacements and stop.</summary>
    public AgentHost AgentHostOf(string name) =>
        _agents.TryGetValue(name, out var host) ? host : throw new ArgumentException($"no agent '{name}' in this cluster (agents: {string.Join(", ", _agents.Keys)})", nameof(name));

    /// <summary>The names of the agents started so far.</summary>
    public IReadOnlyCollection<string> AgentNames => _agents.Keys;

    private void StartClient()
    {
        if (_ownsClient)
        {
            _client = ActorSystem.Create("test-client", ClientConfig(_options.Partitionable));
        }

        var contacts = ContactAddresses.Select(a => ActorPath.Parse($"{Protocol}://{SchedulerPaths.SystemName}@{a}/system/receptionist")).ToImmutableHashSet();
        _clusterClient = _client.ActorOf(ClusterClient.Props(
            ClusterClientSettings.Create(_client).WithInitialContacts(contacts)), "scheduler-client-" + Guid.NewGuid().ToString("N")[..6]);
        _senders = new RequestSenders(_client, _clusterClient);
    }

    public async ValueTask DisposeAsync()
    {
        await StopDashboardsAsync();
        foreach (var agent in _agents.Values)
        {
            await agent.System.Terminate();
        }

        if (_ownsClient && _client is not null)
        {
            await _client.Terminate();
        }
        else if (_clusterClient is not null && _client is not null)
        {
            _senders.Stop();
            _client.Stop(_clusterClient);
        }

        if (MasterHosts.Count > 0)
        {
            await Task.WhenAll(MasterHosts.Select(h => h.AbortAsync()));
        }
        else if (Master is not null)
        {
            await Master.Terminate();
        }

        foreach (var process in Processes.All)
        {
            await process.KillAsync(TimeSpan.FromMilliseconds(200));
        }

        foreach (var path in _databasePaths)
        {
            await path.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A task process may still hold a file for a moment; the temp folder is cleaned by the OS later.
        }
    }
}
