using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Scheduler.Agent.Processes;
using Scheduler.Hosting;

namespace Scheduler.TestKit;

/// <summary>Fault injection: cut links with the throttler's blackhole, crash and stop nodes, restart them.</summary>
public sealed partial class TestCluster
{
    /// <summary>
    /// Cuts the links between an agent and every master with the throttler's blackhole, on the masters' side, so
    /// it also holds for a new incarnation of the agent (same port). <paramref name="direction"/> Receive cuts
    /// agent → master only. Needs <see cref="TestClusterOptions.Partitionable"/>.
    /// </summary>
    public async Task PartitionAsync(string agent, ThrottleTransportAdapter.Direction direction = ThrottleTransportAdapter.Direction.Both) =>
        await ThrottleAsync(RunningMasters, [AgentAddress(agent)], direction, Blackhole.Instance, $"partition agent {agent}");

    /// <summary>Opens the links between an agent and every master again.</summary>
    public async Task HealAsync(string agent) =>
        await ThrottleAsync(RunningMasters, [AgentAddress(agent)], ThrottleTransportAdapter.Direction.Both, Unthrottled.Instance, $"heal agent {agent}");

    /// <summary>
    /// Cuts master <paramref name="index"/> off from every other node (masters, agents, the client): the other
    /// masters see it unreachable and their majority downs it, as in a real network split.
    /// </summary>
    public async Task PartitionMasterAsync(int index) =>
        await ThrottleAsync([Masters[index]], OtherNodes(Masters[index]), ThrottleTransportAdapter.Direction.Both, Blackhole.Instance, $"partition master {index}");

    /// <summary>Opens master <paramref name="index"/>'s links again (a master the others downed meanwhile has stopped).</summary>
    public async Task HealMasterAsync(int index) =>
        await ThrottleAsync([Masters[index]], OtherNodes(Masters[index]), ThrottleTransportAdapter.Direction.Both, Unthrottled.Instance, $"heal master {index}");

    /// <summary>Master <paramref name="index"/> dies without a word (no leave): the others must detect and down it.</summary>
    public Task CrashMasterAsync(int index) => MasterHosts[index].AbortAsync();

    /// <summary>
    /// Starts master <paramref name="index"/> of a cluster of several again on its port, as a supervisor restarts a
    /// crashed process: a new incarnation that joins the others (who must have removed the old one; this waits until
    /// all masters are Up again). Its ActorSystem replaces the old one in <see cref="MasterHosts"/>.
    /// </summary>
    public async Task RestartMasterAsync(int index)
    {
        if (MasterHosts.Count == 0)
        {
            throw new InvalidOperationException("RestartMasterAsync(index) restarts a master of a cluster of several; the single master restarts with RestartMasterAsync()");
        }

        if (!MasterHosts[index].WhenStopped.IsCompleted)
        {
            throw new InvalidOperationException($"master {index} is still running; crash or stop it first");
        }

        MasterHosts[index] = MasterHost.Start(_masterConfigs[index], "test", "127.0.0.1", int.Parse(_haAddresses[index].Split(':')[1]));
        if (index == 0)
        {
            Master = MasterHosts[0].System;
        }

        await WaitForMastersUpAsync(MasterHosts.Count);
    }

    /// <summary>Master <paramref name="index"/> stops gracefully (SIGTERM): it leaves the cluster first.</summary>
    public Task StopMasterGracefullyAsync(int index) => MasterHosts[index].StopAsync();

    /// <summary>The index in <see cref="MasterHosts"/> of the master whose node holds the singleton now.</summary>
    public async Task<int> ActiveMasterIndexAsync()
    {
        var node = (await StatusAsync()).Node;
        var index = MasterHosts.FindIndex(h => !h.WhenStopped.IsCompleted && SchedulerNodes.Address(h.System) == node);
        return index >= 0 ? index : throw new InvalidOperationException($"the singleton's node {node} is none of this cluster's masters");
    }

    /// <summary>Crashes the master that holds the singleton (a kill -9); answers its index.</summary>
    public async Task<int> CrashActiveMasterAsync()
    {
        var index = await ActiveMasterIndexAsync();
        await CrashMasterAsync(index);
        return index;
    }

    /// <summary>Stops the master that holds the singleton gracefully (SIGTERM); answers its index.</summary>
    public async Task<int> StopActiveMasterAsync()
    {
        var index = await ActiveMasterIndexAsync();
        await StopMasterGracefullyAsync(index);
        return index;
    }

    /// <summary>Stops the single Master and starts it again on its port, with <paramref name="extraHocon"/> over its settings.</summary>
    public async Task RestartMasterAsync(string extraHocon = "", Func<Task>? whileDown = null)
    {
        if (MasterHosts.Count > 0)
        {
            throw new InvalidOperationException("RestartMasterAsync restarts the single master; a cluster of several hands over instead (CrashActiveMasterAsync)");
        }

        var port = int.Parse(MasterAddress.Split(':')[1]);
        await Master.Terminate();
        if (whileDown is not null)
        {
            await whileDown();
        }

        StartMaster(port, extraHocon);
    }

    /// <summary>Stops an agent's ActorSystem abruptly: no graceful kill of its tasks (like a crash of its actors).</summary>
    public async Task TerminateAgentAsync(string name) => await AgentHostOf(name).System.Terminate();

    /// <summary>Graceful stop through CoordinatedShutdown, as on SIGTERM: its running tasks are killed and reported.</summary>
    public async Task StopAgentGracefullyAsync(string name) => await AgentHostOf(name).StopAsync();

    /// <summary>
    /// The agent process crashes and a new one starts on the same data folder: it finds the tasks its journal says
    /// were running, kills the orphans, records them Lost and replays its journal to the Master. Waits until it is
    /// Connected unless <paramref name="waitConnected"/> is false (e.g. while it is partitioned).
    /// </summary>
    public async Task<AgentHost> RestartAgentAsync(string name, bool waitConnected = true)
    {
        var agent = _agentOptions.GetValueOrDefault(name) ?? new TestAgent(name);
        await TerminateAgentAsync(name);
        return await StartAgentAsync(agent, new ProcessTable(), waitConnected);
    }

    private IReadOnlyList<ActorSystem> RunningMasters =>
        MasterHosts.Count > 0 ? MasterHosts.Where(h => !h.WhenStopped.IsCompleted).Select(h => h.System).ToList() : [Master];

    private IReadOnlyList<Address> OtherNodes(ActorSystem master) =>
        Masters.Where(m => m != master).Concat(_agents.Values.Select(a => a.System)).Append(_client)
            .Select(AddressOf).ToList();

    /// <summary>The remoting address of the agent's current ActorSystem incarnation (what the masters watch).</summary>
    public Address AgentAddress(string agent) => AddressOf(Agent(agent));

    private static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    private async Task ThrottleAsync(IEnumerable<ActorSystem> on, IReadOnlyList<Address> to, ThrottleTransportAdapter.Direction direction, ThrottleMode mode, string what)
    {
        if (!_options.Partitionable)
        {
            throw new InvalidOperationException($"cannot {what}: links can be cut only in a cluster started with TestClusterOptions.Partitionable");
        }

        foreach (var system in on)
        {
            var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport;
            foreach (var address in to)
            {
                if (!await transport.ManagementCommand(new SetThrottle(address, direction, mode)))
                {
                    throw new InvalidOperationException($"cannot {what}: the throttler of {AddressOf(system)} refused the link to {address}");
                }
            }
        }
    }
}
