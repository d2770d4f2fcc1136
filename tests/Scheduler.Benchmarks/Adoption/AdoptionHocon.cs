using Akka.Configuration;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// The nodes' configuration: fast heartbeats and registration as in the Master specs' TestHocon, port 0,
/// a folder each; the replay settings (scheduler.agent.replay-*) and the journals stay at their shipped defaults.
/// Akka logs warnings only, so the output is the benchmark's (the adoption path logs at Debug anyway).
/// </summary>
public static class AdoptionHocon
{
    public static Config Master(string dataDir, int maximumFrameSize) => ConfigurationFactory.ParseString($$"""
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
        akka.loglevel = WARNING
        # Only so the check at the end can ask for the whole history in one answer.
        akka.remote.dot-netty.tcp.maximum-frame-size = {{maximumFrameSize}}b
        """);

    public static Config Agent(string name, string dataDir, string master) => ConfigurationFactory.ParseString($$"""
        scheduler {
          heartbeat-interval = 200ms
          unreachable-after = 1500ms
          agent {
            name = "{{name}}"
            data-dir = "{{dataDir}}"
            masters = ["{{master}}"]
            kill-grace = 1s
            register-interval = 200ms
          }
        }
        akka.loglevel = WARNING
        """);

    public static Config Client(int maximumFrameSize) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, maximum-frame-size = {{maximumFrameSize}}b }
        akka.loglevel = ERROR
        akka.stdout-loglevel = ERROR
        """);

    /// <summary>Extra settings from --hocon win over everything else.</summary>
    public static Config With(this Config config, string? extra) =>
        extra is null ? config : ConfigurationFactory.ParseString(extra).WithFallback(config);
}
