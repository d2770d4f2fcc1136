using Akka.Configuration;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// The nodes' configuration: fast heartbeats and registration as in the Master specs' TestHocon, port 0,
/// a folder each. The agent's is its own, not TestHocon's: the replay settings (scheduler.agent.replay-*) and
/// the journals stay at their shipped defaults, so the figure is the shipped configuration's.
/// Akka logs warnings only, so the output is the benchmark's (the adoption path logs at Debug anyway).
/// </summary>
public static class AdoptionHocon
{
    /// <summary>The Master specs' fast timings (TestHocon, linked into this project), logging warnings only.</summary>
    public static Config Master(string dataDir) => TestHocon.Master(dataDir, "akka.loglevel = WARNING");

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

    /// <summary>
    /// The shipped heartbeat and registration timings (the nodes' reference.conf), for benchmarks of the shipped
    /// configuration under load: with the specs' fast ones (200 ms heartbeats, unreachable after 1.5 s) the loaded
    /// two-core machine missed heartbeats, agents decoupled and the Master refused submits for them.
    /// </summary>
    public const string ShippedTimings = "scheduler { heartbeat-interval = 1s, unreachable-after = 5s, agent.register-interval = 1s }\n";

    public static Config Client() => ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = ERROR
        akka.stdout-loglevel = ERROR
        """);

    /// <summary>Extra settings from --hocon win over everything else.</summary>
    public static Config With(this Config config, string? extra) =>
        extra is null ? config : ConfigurationFactory.ParseString(extra).WithFallback(config);
}
