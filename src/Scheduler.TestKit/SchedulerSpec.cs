using Xunit;
using Xunit.Abstractions;

namespace Scheduler.TestKit;

/// <summary>
/// A base class for scenario tests: an Akka.NET TestKit (xunit) whose own ActorSystem is the client of a
/// <see cref="TestCluster"/> started before each test and disposed after it. Override <see cref="Options"/> to
/// choose masters, agents and journal; use <see cref="Cluster"/> for requests, faults and waits, and the TestKit's
/// probes for actors of your own (they live in the client's system, so they can talk to the cluster).
/// </summary>
public abstract class SchedulerSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <param name="output">xunit's output of the test: the TestKit's own log goes there.</param>
    /// <param name="partitionable">Must match <see cref="TestClusterOptions.Partitionable"/> of <see cref="Options"/>: the client's protocol follows it.</param>
    protected SchedulerSpec(ITestOutputHelper? output = null, bool partitionable = true)
        : base(TestCluster.ClientConfig(partitionable), "scheduler-spec", output)
    {
    }

    /// <summary>What the cluster of each test consists of (default: one master, one agent <c>a1</c>).</summary>
    protected virtual TestClusterOptions Options => new() { Agents = ["a1"] };

    /// <summary>The running cluster of this test.</summary>
    protected TestCluster Cluster { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(Options, Sys);

    public virtual async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
