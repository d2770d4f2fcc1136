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
            # Two messages per agent and interval: with Akka's 1 s, a third of what 100 idle agents cost the Master.
            # The watch only quarantines an agent already given up (Lost is the Master's own deadline), so a
            # coarser interval only makes that up to this much later than lost-after.
            watch-failure-detector.heartbeat-interval = {{(long)WatchHeartbeatInterval(lostAfter).TotalMilliseconds}}ms
          }
          cluster {
            roles = [master]
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            # A crashed master (kill -9, host gone) is replaced after: failure detection (~3 s without heartbeats) +
            # stable-after + the split brain resolver's 1 s tick + the leader's removal + down-removal-margin + the new
            # singleton's recovery: ~8 s to the agent coupled to the new one, measured with real processes (benchmark
            # `handover`; Akka's defaults: 20 s + 20 s). The price: a master silent for ~5 s (detection + stable-after:
            # a long GC pause, a starved host) is downed as if it had crashed, and its work handed over.
            failure-detector {
              heartbeat-interval = 500ms
              acceptable-heartbeat-pause = 2s
            }
            unreachable-nodes-reaper-interval = 250ms
            leader-actions-interval = 250ms
            split-brain-resolver {
              active-strategy = keep-majority
              keep-majority.role = master
              stable-after = 2s
            }
            # In a partition the minority's master downs itself at its own stable-after deadline, up to ~1.5 s after the
            # majority's (detection and tick jitter), and stops its singleton then; the majority starts the new one this
            # long after removing the old master, and the new one first recovers (~0.5 s) before it writes. The journal's
            # sequence numbers and the agents' epoch fencing catch what slips through.
            down-removal-margin = 1500ms
            singleton.role = master
            client.receptionist.role = master
          }
          coordinated-shutdown.exit-clr = off
          coordinated-shutdown.run-by-clr-shutdown-hook = {{ClrHook}}
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
          # Akka's timer thread wakes every tick, due or not: 10 ms (Akka's) cost an idle node 2.4 % of a core here, 50 ms
          # 1.3 %. Agents are many and mostly idle, and the timers on their side of a hand-over are few (ClusterClient's
          # 1 s ones, the registration); masters keep 10 ms, which their many hand-over timers wait on (docs/decisions.md).
          scheduler.tick-duration = 50ms
          # Terminating the ActorSystem (e.g. for a new incarnation after a quarantine) must not kill tasks:
          # only a real stop (SIGTERM, Ctrl+C) runs CoordinatedShutdown and its kill-tasks step.
          coordinated-shutdown.run-by-actor-system-terminate = off
          cluster.client {
            establishing-get-contacts-interval = 1s
            refresh-contacts-interval = 10s
            # Only a backstop: the agent's own heartbeats notice a master that died (kill -9, host down) and the agent
            # starts a new ClusterClient after scheduler.agent.find-master-after (4 s), which moves it to another
            # master's receptionist (MasterClientActor). At 1 s, ClusterClient's heartbeat and its answer were half of
            # what 100 idle agents cost the master (docs/decisions.md).
            heartbeat-interval = 10s
            acceptable-heartbeat-pause = 20s
          }
          coordinated-shutdown.exit-clr = off
          coordinated-shutdown.run-by-clr-shutdown-hook = {{ClrHook}}
        }
        """).WithFallback(ClusterClientWire);

    /// <summary>How often a master's remote watch heartbeats an agent: a thirtieth of lost-after, between 1 s (Akka's) and 10 s.</summary>
    public static TimeSpan WatchHeartbeatInterval(TimeSpan lostAfter) =>
        TimeSpan.FromTicks(Math.Clamp(lostAfter.Ticks / 30, TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond));

    /// <summary>
    /// The <c>scheduler</c> command handles SIGTERM and SIGINT itself (agent first, then master; exit code by who
    /// stopped the node). Akka's own hook would race it, and one registered by a later ActorSystem (a master that
    /// rejoined, a new agent incarnation) runs first: the node then looked as if it had stopped on its own (exit 1).
    /// </summary>
    private const string ClrHook = "off";

    /// <summary>
    /// A process that is not a cluster member still needs Akka.Cluster.Tools' serializers for ClusterClient's
    /// envelopes; without them the envelope (and our message inside) falls back to Newtonsoft JSON.
    /// </summary>
    public static Config ClusterClientWire { get; } =
        ClusterClientReceptionist.DefaultConfig().WithFallback(DistributedPubSub.DefaultConfig());
}
