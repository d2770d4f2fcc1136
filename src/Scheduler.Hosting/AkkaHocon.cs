using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;

namespace Scheduler.Hosting;

/// <summary>The Akka settings of each node kind; any of them can be overridden in a --config file.</summary>
public static class AkkaHocon
{
    /// <summary>
    /// Masters: cluster members with role master, split brain resolver keep-majority on that role, and a
    /// deadline watch failure detector for agents (the phi detector adapts to earlier cuts; DESIGN.md) whose
    /// pause is <c>scheduler.master.lost-after</c>: its Terminated is the Master's "agent lost" signal.
    /// </summary>
    public static Config Master(string host, int port, TimeSpan lostAfter) => ConfigurationFactory.ParseString($$"""
        akka {
          actor.provider = cluster
          remote {
            dot-netty.tcp {
              hostname = "{{host}}"
              port = {{port}}
              tcp-reuse-addr = off
            }
            # Masters starting together refuse each other's first connection attempts; with Akka's 5 s gate the
            # cluster formed only after several seconds more.
            retry-gate-closed-for = 1s
            watch-failure-detector.implementation-class = "Akka.Remote.DeadlineFailureDetector, Akka.Remote"
            watch-failure-detector.acceptable-heartbeat-pause = {{(long)lostAfter.TotalMilliseconds}}ms
          }
          cluster {
            roles = [master]
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            split-brain-resolver {
              active-strategy = keep-majority
              keep-majority.role = master
              stable-after = 7s
            }
            down-removal-margin = 2s
            singleton.role = master
            client.receptionist.role = master
          }
          coordinated-shutdown.exit-clr = off
        }
        """);

    /// <summary>
    /// Agents: not cluster members (plain remoting). Settings measured to cut heal → working from 15.6 s to 4.6 s,
    /// and no port sharing, so a second process on the same port fails to bind.
    /// </summary>
    public static Config Agent(string host, int port) => ConfigurationFactory.ParseString($$"""
        akka {
          actor.provider = remote
          remote {
            dot-netty.tcp {
              hostname = "{{host}}"
              port = {{port}}
              tcp-reuse-addr = off
              connection-timeout = 3s
            }
            retry-gate-closed-for = 1s
          }
          # Terminating the ActorSystem (e.g. for a new incarnation after a quarantine) must not kill tasks:
          # only a real stop (SIGTERM, Ctrl+C) runs CoordinatedShutdown and its kill-tasks step.
          coordinated-shutdown.run-by-actor-system-terminate = off
          cluster.client {
            establishing-get-contacts-interval = 1s
            refresh-contacts-interval = 10s
            # A master that died (kill -9, host down) is noticed after 4 s instead of Akka's 15 s (2 s + 13 s), and
            # the agent moves to another master's receptionist: with the default, the agent was the slowest part of a
            # fail-over. A master that is only slow costs a reconnect to another receptionist, nothing else.
            heartbeat-interval = 1s
            acceptable-heartbeat-pause = 3s
          }
          coordinated-shutdown.exit-clr = off
        }
        """).WithFallback(ClusterClientWire);

    /// <summary>
    /// A process that is not a cluster member still needs Akka.Cluster.Tools' serializers for ClusterClient's
    /// envelopes; without them the envelope (and our message inside) falls back to Newtonsoft JSON.
    /// </summary>
    public static Config ClusterClientWire { get; } =
        ClusterClientReceptionist.DefaultConfig().WithFallback(DistributedPubSub.DefaultConfig());
}
