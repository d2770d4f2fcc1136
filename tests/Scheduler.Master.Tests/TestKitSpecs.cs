using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The parts of Scheduler.TestKit that the other specs do not use already: a master cut off from the rest, an agent
/// process restart, the history compared with an agent's journal, and the clear errors of a cluster asked for
/// something it cannot do.
/// </summary>
public sealed class TestKitSpecs : IClassFixture<PostgreSqlFixture>
{
    private readonly PostgreSqlFixture _postgres;

    public TestKitSpecs(PostgreSqlFixture postgres) => _postgres = postgres;

    [Fact]
    public async Task A_partitioned_active_master_should_be_downed_by_the_majority_and_the_singleton_move()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Masters = 3, PostgreSql = _postgres.Server, Agents = ["a1"] });
        var before = await cluster.StatusAsync();
        var active = await cluster.ActiveMasterIndexAsync();

        await cluster.PartitionMasterAsync(active);
        var after = await cluster.WaitForSingletonElsewhereAsync(before.Node);

        Assert.NotEqual(before.Node, after.Node);
        await TestCluster.WaitUntilAsync(() => cluster.MasterHosts[active].WhenStopped.IsCompleted, "the cut-off master stopped (downed)");
        var task = await cluster.SubmitAsync("a1", "true");
        Assert.Equal(TaskState.Succeeded, (await cluster.WaitForFinalAsync(task.TaskId)).State);
    }

    [Fact]
    public async Task A_restarted_agent_should_record_its_orphaned_task_Lost_and_agree_with_the_Master()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Agents = [new TestAgent("a1", ["linux"])] });
        var done = await cluster.SubmitAsync("a1", "true");
        await cluster.WaitForHistoryAsync(t => t.TaskId == done.TaskId && t.State == TaskState.Succeeded, "the first task Succeeded", "a1");
        var running = await cluster.SubmitAsync("a1", "sleep", "300");
        await cluster.WaitForTaskAsync(running.TaskId, TaskState.Running);

        await cluster.RestartAgentAsync("a1");

        var lost = await cluster.WaitForFinalAsync(running.TaskId);
        Assert.Equal(TaskState.Lost, lost.State);
        Assert.Equal(["linux"], (await cluster.WaitForAgentAsync("a1", AgentState.Connected)).Labels);
        var compared = await cluster.CompareHistoryAsync("a1");
        Assert.Equal(2, compared.Count);
        Assert.All(compared, c => Assert.Equal(c.Value.Agent, c.Value.Master));
    }

    [Fact]
    public async Task A_cluster_should_refuse_what_it_cannot_do_with_the_reason()
    {
        var ha = await Assert.ThrowsAsync<ArgumentException>(() => TestCluster.StartAsync(new TestClusterOptions { Masters = 3 }));
        Assert.Contains("must be PostgreSQL", ha.Message);
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => TestCluster.StartAsync(new TestClusterOptions { Agents = ["a1", "a1"] }));
        Assert.Contains("'a1' is given twice", twice.Message);

        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Partitionable = false, Agents = ["a1"] });
        var cut = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.PartitionAsync("a1"));
        Assert.Contains("Partitionable", cut.Message);
        Assert.Contains("PostgreSQL", Assert.Throws<InvalidOperationException>(() => cluster.CutDatabase()).Message);
        Assert.Contains("no agent 'nope'", Assert.Throws<ArgumentException>(() => cluster.Agent("nope")).Message);
    }

    [Fact]
    public void Free_ports_should_be_bindable_and_below_the_ephemeral_range()
    {
        // An outgoing connection can take any port of the ephemeral range while a node that owns it is down.
        var ephemeralStart = LoopbackPorts.EphemeralRangeStart();

        foreach (var port in Enumerable.Range(0, 20).Select(_ => LoopbackPorts.Free()))
        {
            Assert.InRange(port, 1_024, ephemeralStart - 1);
            using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            socket.Start();
        }
    }
}
