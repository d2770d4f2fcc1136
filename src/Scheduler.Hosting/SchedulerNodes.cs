namespace Scheduler.Hosting;

/// <summary>Starts the three kinds of node the <c>scheduler</c> command runs.</summary>
public static class SchedulerNodes
{
    /// <summary>A master: cluster member with role <c>master</c>, hosting the scheduler singleton. Throws ConfigurationException.</summary>
    public static Task<RunningNode> StartMasterAsync(NodeOptions options) => throw new NotImplementedException();

    /// <summary>An agent: not a cluster member; reaches the masters through ClusterClient. Throws ConfigurationException.</summary>
    public static Task<RunningNode> StartAgentAsync(NodeOptions options) => throw new NotImplementedException();

    /// <summary>A master and an agent named <c>local</c> in one process, journals under <c>DataDir</c>.</summary>
    public static Task<RunningNode> StartStandaloneAsync(NodeOptions options) => throw new NotImplementedException();
}
