using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Remote;
using Akka.Remote.Transport;
using Scheduler.Agent;
using Scheduler.Agent.Processes;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;

namespace Scheduler.Master.Tests.Support;

/// <summary>
/// A master and agents as separate ActorSystems in this process on 127.0.0.1 port 0, each with its own
/// folder; requests go through a real ClusterClient, as integrators' requests do.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, AgentHost> _agents = new();
    private ActorSystem _client = null!;
    private IActorRef _clusterClient = null!;

    static InProcessCluster() => SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Debug);

    private readonly string _masterHocon;
    private readonly string _throttler;

    private InProcessCluster(string root, string masterHocon, bool throttled)
    {
        Root = root;
        _masterHocon = masterHocon;
        _throttler = throttled ? TestHocon.Throttler : "";
        Protocol = throttled ? "akka.trttl.tcp" : "akka.tcp";
    }

    /// <summary>The remoting protocol of every system of this cluster.</summary>
    public string Protocol { get; }

    public string Root { get; }

    public ActorSystem Master { get; private set; } = null!;

    public string MasterAddress => SchedulerNodes.Address(Master);

    /// <summary>Every master of a cluster of several (<see cref="StartHaAsync"/>); index 0 is the first, the oldest.</summary>
    public List<MasterHost> MasterHosts { get; } = [];

    /// <summary>The current ActorSystem of each of <see cref="MasterHosts"/>.</summary>
    public IReadOnlyList<ActorSystem> Masters => MasterHosts.Select(h => h.System).ToList();

    /// <summary>What agents and the client contact: every master of a cluster of several, else the one.</summary>
    private IReadOnlyList<string> ContactAddresses => _haAddresses.Count > 0 ? _haAddresses : [MasterAddress];

    private readonly List<string> _haAddresses = [];

    public ProcessTable Processes { get; } = new();

    public static Task<InProcessCluster> StartAsync(params string[] agents) => StartWithAsync("", throttled: false, agents);

    /// <summary>
    /// Starts the cluster with <paramref name="masterHocon"/> over the Master's test settings; <paramref name="throttled"/>
    /// runs the throttler adapter everywhere so links can be cut.
    /// </summary>
    public static async Task<InProcessCluster> StartWithAsync(string masterHocon, bool throttled, params string[] agents)
    {
        var root = Path.Combine(Path.GetTempPath(), "scheduler-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var cluster = new InProcessCluster(root, masterHocon, throttled);
        cluster.StartMaster();
        cluster.StartClient();
        foreach (var agent in agents)
        {
            await cluster.StartAgentAsync(agent);
        }

        return cluster;
    }

    /// <summary>
    /// Several masters on fixed loopback ports, each seeding from all (so the first forms the cluster and is the
    /// oldest), on <paramref name="masterHocon"/> — which must name a shared (PostgreSQL) journal. Their
    /// ActorSystems stop without leaving the cluster when terminated (<see cref="CrashMasterAsync"/> is a kill -9).
    /// </summary>
    public static Task<InProcessCluster> StartHaAsync(string masterHocon, int masters, params string[] agents) =>
        StartHaAsync(_ => masterHocon, masters, agents);

    /// <summary>As <see cref="StartHaAsync(string, int, string[])"/>, with settings per master (by index).</summary>
    public static async Task<InProcessCluster> StartHaAsync(Func<int, string> masterHocon, int masters, params string[] agents)
    {
        var root = Path.Combine(Path.GetTempPath(), "scheduler-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        var cluster = new InProcessCluster(root, "", throttled: false);
        var ports = Enumerable.Range(0, masters).Select(_ => LoopbackPorts.Free()).ToList();
        cluster._haAddresses.AddRange(ports.Select(p => $"127.0.0.1:{p}"));
        var seeds = string.Join(", ", cluster._haAddresses.Select(a => $"\"{SchedulerNodes.SeedAddress(a)}\""));
        for (var i = 0; i < masters; i++)
        {
            var hocon = TestHocon.Master(Path.Combine(root, $"master-{i}"), $$"""
                {{masterHocon(i)}}
                akka.cluster.seed-nodes = [{{seeds}}]
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                """);
            cluster.MasterHosts.Add(MasterHost.Start(hocon, "test", "127.0.0.1", ports[i]));
        }

        await WaitUntilAsync(() => cluster.Masters.All(m => Akka.Cluster.Cluster.Get(m).State.Members.Count(x => x.Status == Akka.Cluster.MemberStatus.Up) == masters),
            $"all {masters} masters Up in one cluster");

        cluster.Master = cluster.Masters[0];
        cluster.StartClient();
        foreach (var agent in agents)
        {
            await cluster.StartAgentAsync(agent);
        }

        return cluster;
    }

    /// <summary>Master <paramref name="index"/> dies without a word (no leave): the others must detect and down it.</summary>
    public Task CrashMasterAsync(int index) => MasterHosts[index].AbortAsync();

    /// <summary>Master <paramref name="index"/> stops gracefully (SIGTERM): it leaves the cluster first.</summary>
    public Task StopMasterGracefullyAsync(int index) => MasterHosts[index].StopAsync();

    /// <summary>Starts the Master on its data folder; a restart passes the old port so agents and the client find it again.</summary>
    public void StartMaster(int port = 0, string extraHocon = "") =>
        Master = SchedulerNodes.StartMasterSystem(
            TestHocon.Master(Path.Combine(Root, "master"), _throttler + "\n" + _masterHocon + "\n" + extraHocon), "test", "127.0.0.1", port);

    /// <summary>Stops the Master and starts it again on its port, with <paramref name="extraHocon"/> over its settings.</summary>
    public async Task RestartMasterAsync(string extraHocon = "", Func<Task>? whileDown = null)
    {
        var port = int.Parse(MasterAddress.Split(':')[1]);
        await Master.Terminate();
        if (whileDown is not null)
        {
            await whileDown();
        }

        StartMaster(port, extraHocon);
    }

    public string AgentDataDir(string name) => Path.Combine(Root, "agent-" + name);

    /// <summary>
    /// Starts an agent process (an <see cref="AgentHost"/> with its own runtime) and waits until the Master shows
    /// it Connected. A new <paramref name="processes"/> table makes it a new OS process as far as tasks go.
    /// </summary>
    public async Task<AgentHost> StartAgentAsync(string name, ProcessTable? processes = null, bool waitConnected = true, string extraHocon = "")
    {
        var masters = _haAddresses.Count == 0 ? "" : $"scheduler.agent.masters = [{string.Join(", ", _haAddresses.Select(a => $"\"{a}\""))}]";
        var host = AgentHost.Start(TestHocon.Agent(name, AgentDataDir(name), MasterAddress, _throttler + "\n" + masters + "\n" + extraHocon), "test", "127.0.0.1", 0,
            TimeProvider.System, new AgentRuntime(processes ?? Processes));
        _agents[name] = host;
        if (waitConnected)
        {
            await WaitForAgentAsync(name, AgentState.Connected);
        }

        return host;
    }

    /// <summary>The agent's current ActorSystem incarnation.</summary>
    public ActorSystem Agent(string name) => _agents[name].System;

    public AgentHost AgentHostOf(string name) => _agents[name];

    /// <summary>Stops an agent's ActorSystem abruptly: no graceful kill of its tasks (like a crash of its actors).</summary>
    public async Task TerminateAgentAsync(string name) => await _agents[name].System.Terminate();

    /// <summary>Graceful stop through CoordinatedShutdown, as on SIGTERM.</summary>
    public async Task StopAgentGracefullyAsync(string name) => await _agents[name].StopAsync();

    /// <summary>
    /// Cuts the link between the Master and an agent with the throttler's blackhole, on the Master's side, so
    /// it also holds for a new incarnation of the agent (same port). <paramref name="direction"/> Receive cuts
    /// agent → Master only.
    /// </summary>
    public async Task PartitionAsync(string agent, ThrottleTransportAdapter.Direction direction = ThrottleTransportAdapter.Direction.Both) =>
        Assert.True(await MasterTransport.ManagementCommand(new SetThrottle(AgentAddress(agent), direction, Blackhole.Instance)));

    public async Task HealAsync(string agent) =>
        Assert.True(await MasterTransport.ManagementCommand(
            new SetThrottle(AgentAddress(agent), ThrottleTransportAdapter.Direction.Both, Unthrottled.Instance)));

    private RemoteTransport MasterTransport => ((RemoteActorRefProvider)((ExtendedActorSystem)Master).Provider).Transport;

    private Address AgentAddress(string agent) => ((ExtendedActorSystem)Agent(agent)).Provider.DefaultAddress;

    /// <summary>The client's ActorSystem and its ClusterClient to the masters, for specs of actor-based clients.</summary>
    public (ActorSystem System, IActorRef ClusterClient) Client => (_client, _clusterClient);

    /// <summary>
    /// The integrators' <see cref="Scheduler.Client.SchedulerClient"/> on this cluster's masters (not through the throttler:
    /// its addresses are <c>akka.tcp</c>). The caller disposes it.
    /// </summary>
    public Task<Scheduler.Client.SchedulerClient> ConnectClientAsync() =>
        Scheduler.Client.SchedulerClient.ConnectAsync(new Scheduler.Client.SchedulerClientOptions(ContactAddresses) { LogLevel = "OFF" });

    public async Task<object> AskAsync(IClientRequest request) =>
        await _clusterClient.Ask<object>(new ClusterClient.Send(SchedulerPaths.SchedulerService, request), TimeSpan.FromSeconds(10));

    /// <summary>
    /// An idempotent query, asked again when an answer is lost: ClusterClient loses messages while it
    /// re-establishes its contact (e.g. right after a Master restart), as DESIGN.md measured.
    /// </summary>
    public async Task<object> QueryAsync(IClientRequest request)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await _clusterClient.Ask<object>(new ClusterClient.Send(SchedulerPaths.SchedulerService, request), TimeSpan.FromSeconds(2));
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    public async Task<T> QueryAsync<T>(IClientRequest request)
    {
        var answer = await QueryAsync(request);
        return answer is T t ? t : throw new InvalidOperationException($"expected {typeof(T).Name}, got {answer}");
    }

    public async Task<T> AskAsync<T>(IClientRequest request)
    {
        var answer = await AskAsync(request);
        return answer is T t ? t : throw new InvalidOperationException($"expected {typeof(T).Name}, got {answer}");
    }

    public async Task<TaskView> SubmitAsync(string agent, params string[] command) =>
        (await AskAsync<TaskResult>(new SubmitTask(agent, Spec(TaskIds.New(), command)))).Task;

    public static TaskSpec Spec(string id, IReadOnlyList<string> command, TimeSpan? timeout = null, string? cwd = null,
        IReadOnlyDictionary<string, string>? env = null) =>
        new(id, command, cwd, env ?? new Dictionary<string, string>(), timeout);

    public async Task<TaskView> WaitForTaskAsync(string taskId, Func<TaskView, bool> condition, string what)
    {
        TaskView? last = null;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await QueryAsync(new GetTask(taskId)) is TaskResult r)
            {
                last = r.Task;
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"task {taskId} never became {what}; last seen: {last}");
    }

    /// <summary>The Master's event log (<c>scheduler events</c>), optionally of one agent, oldest first.</summary>
    public async Task<IReadOnlyList<SchedulerEvent>> EventsAsync(string? agent = null) =>
        (await QueryAsync<EventsResult>(new GetEvents(agent, 1000))).Events;

    /// <summary>The events in an agent's own journal, in journal order.</summary>
    public async Task<IReadOnlyList<ITaskEvent>> AgentJournalAsync(string agent)
    {
        var system = Agent(agent);
        return await PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByTag(SchedulerPaths.TaskEventTag, Offset.NoOffset())
            .Select(e => (ITaskEvent)e.Event)
            .RunWith(Sink.Seq<ITaskEvent>(), system.Materializer());
    }

    /// <summary>Waits until the agent has journaled an event matching <paramref name="match"/>.</summary>
    public async Task WaitForAgentJournalAsync(string agent, Func<ITaskEvent, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!(await AgentJournalAsync(agent)).Any(match))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"agent {agent} never journaled {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most the cluster's patience.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never happened: {what}");
            }

            await Task.Delay(50);
        }
    }

    public async Task<MasterStatus> StatusAsync() => (await QueryAsync<StatusResult>(GetStatus.Instance)).Status;

    /// <summary>
    /// Asks until a master other than <paramref name="old"/> (HOST:PORT) answers from a recovered scheduler with
    /// every agent coupled: the singleton moved and serves.
    /// </summary>
    public async Task<MasterStatus> WaitForSingletonElsewhereAsync(string old)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await StatusAsync();
            if (status.Node != old && status.Database.Available && status.Agents?.Connected == _agents.Count)
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the singleton did not move from {old}: {status}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the Master's status says its database is (un)available, and answers that status.</summary>
    public async Task<MasterStatus> WaitForDatabaseAsync(bool available)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await StatusAsync();
            if (status.Database.Available == available)
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the database never became {(available ? "available" : "unavailable")}: {status.Database.Summary}");
            }

            await Task.Delay(100);
        }
    }

    public Task<TaskView> WaitForFinalAsync(string taskId) => WaitForTaskAsync(taskId, t => t.State.IsFinal(), "final");

    public async Task<AgentView> WaitForAgentAsync(string name, AgentState state)
    {
        AgentView? last = null;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await QueryAsync(GetAgents.Instance) is AgentsResult r)
            {
                last = r.Agents.FirstOrDefault(a => a.Name == name);
                if (last?.State == state)
                {
                    return last;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"agent {name} never became {state}; last seen: {last}");
    }

    /// <summary>The whole log as the Master holds it, once the Master says it is complete.</summary>
    public async Task<string> WaitForCompleteLogAsync(string taskId, OutputStream? stream = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var bytes = new List<byte>();
            long offset = 0;
            TaskLogResult page;
            do
            {
                page = await QueryAsync<TaskLogResult>(new GetTaskLog(taskId, offset, 64 * 1024));
                bytes.AddRange(page.Data);
                offset = page.NextOffset;
            }
            while (page.Data.Length > 0 && !page.Complete);

            if (page.Complete)
            {
                return string.Join("\n", TaskLogFormat.Decode(bytes.ToArray())
                    .Where(l => stream is null || l.Stream == stream)
                    .Select(l => l.Line));
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the log of task {taskId} never became complete on the Master");
    }

    private void StartClient()
    {
        _client = ActorSystem.Create("test-client", ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            {{_throttler}}
            akka.loglevel = WARNING
            """).WithFallback(Contracts.Serialization.SerializationConfig.Hocon).WithFallback(AkkaHocon.ClusterClientWire));
        var contacts = ContactAddresses.Select(a => ActorPath.Parse($"{Protocol}://{SchedulerPaths.SystemName}@{a}/system/receptionist")).ToImmutableHashSet();
        _clusterClient = _client.ActorOf(ClusterClient.Props(
            ClusterClientSettings.Create(_client).WithInitialContacts(contacts)), "client");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents.Values)
        {
            await agent.System.Terminate();
        }

        await _client.Terminate();
        if (MasterHosts.Count > 0)
        {
            await Task.WhenAll(MasterHosts.Select(h => h.AbortAsync()));
        }
        else
        {
            await Master.Terminate();
        }

        foreach (var process in Processes.All)
        {
            await process.KillAsync(TimeSpan.FromMilliseconds(200));
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
