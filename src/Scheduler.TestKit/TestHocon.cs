using Akka.Configuration;

namespace Scheduler.TestKit;

/// <summary>
/// Fast timings for tests, port 0 and a folder per test. A cluster that cuts links runs the throttler transport
/// adapter on every system (addresses <c>akka.trttl.tcp://</c>; see <see cref="TestCluster.PartitionAsync"/>).
/// Only such clusters do: through the adapter, an agent's ClusterClient sometimes never reached a Master
/// restarted on the same port (seen 3 times in 6 runs of RecoverySpecs), so restarts are tested without it. serialize-messages stays off: Akka.Persistence.Sql's
/// own local messages do not survive it; every message between master, agent and client crosses real
/// remoting here anyway, so it is serialized by the scheduler's serializer.
/// </summary>
public static class TestHocon
{
    /// <summary>The throttler adapter; every system of a test cluster needs it, or their protocols differ.</summary>
    public const string Throttler = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]";

    public static Config Master(string dataDir, string extra = "") => ConfigurationFactory.ParseString($$"""
        scheduler {
          heartbeat-interval = 200ms
          unreachable-after = 1500ms
          master {
            data-dir = "{{dataDir}}"
            outbox-resend-interval = 500ms
            log-copy-interval = 200ms
          }
        }
        akka.cluster {
          gossip-interval = 250ms
          leader-actions-interval = 250ms
          unreachable-nodes-reaper-interval = 250ms
        }
        {{extra}}
        """);

    public static Config Agent(string name, string dataDir, string master, string extra = "") => ConfigurationFactory.ParseString($$"""
        scheduler {
          heartbeat-interval = 200ms
          unreachable-after = 1500ms
          agent {
            name = "{{name}}"
            data-dir = "{{dataDir}}"
            masters = ["{{master}}"]
            kill-grace = 1s
            register-interval = 200ms
            replay-ack-timeout = 1s
            replay-poll-interval = 50ms
          }
        }
        {{extra}}
        """);
}
