using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Configuration;

namespace Scheduler.Agent;

/// <summary>The agent's settings, read from <c>scheduler.*</c> with the embedded reference.conf as fallback and validated.</summary>
public sealed record AgentSettings(
    string Name,
    string DataDir,
    IReadOnlyList<string> Masters,
    IReadOnlyList<string> Labels,
    TimeSpan HeartbeatInterval,
    TimeSpan UnreachableAfter,
    TimeSpan FindMasterAfter,
    TimeSpan? ReconnectWindow,
    TimeSpan KillGrace,
    TimeSpan RegisterInterval,
    int ReplayBatchEvents,
    int ReplayBatchBytes,
    TimeSpan ReplayAckTimeout,
    TimeSpan ReplayPollInterval,
    int LogChunkBytes,
    TimeSpan? Retention,
    TimeSpan ReleaseInterval)
{
    public static Config DefaultConfig { get; } = ReferenceConfig.Load(typeof(AgentSettings).Assembly, "Scheduler.Agent.reference.conf");

    public string JournalPath => Path.Combine(DataDir, "journal.db");

    public string LogsDir => Path.Combine(DataDir, "logs");

    /// <summary>Reads and validates; throws <see cref="SettingsException"/> naming the key.</summary>
    public static AgentSettings Create(Config config, string origin = "configuration")
    {
        var r = new HoconReader(config.WithFallback(DefaultConfig), origin);
        var name = r.String("scheduler.agent.name");
        if (TaskIds.Problem(name, "agent name") is { } problem)
        {
            throw new SettingsException($"{origin}: scheduler.agent.name: {problem}");
        }

        var masters = r.StringList("scheduler.agent.masters");
        if (masters.Count == 0 || masters.Any(m => !HostPort.TryParse(m, out _)))
        {
            throw r.Invalid("scheduler.agent.masters", "a non-empty list of \"HOST:PORT\"");
        }

        var settings = new AgentSettings(
            name,
            Path.GetFullPath(r.String("scheduler.agent.data-dir")),
            masters,
            r.StringList("scheduler.agent.labels"),
            r.Duration("scheduler.heartbeat-interval"),
            r.Duration("scheduler.unreachable-after"),
            r.Duration("scheduler.agent.find-master-after"),
            r.DurationOrInfinite("scheduler.agent.reconnect-window"),
            r.Duration("scheduler.agent.kill-grace"),
            r.Duration("scheduler.agent.register-interval"),
            r.Int("scheduler.agent.replay-batch-events", 1, 100_000),
            r.Int("scheduler.agent.replay-batch-bytes", 1_000, WireLimits.MaxReplayBatchBytes),
            r.Duration("scheduler.agent.replay-ack-timeout"),
            r.Duration("scheduler.agent.replay-poll-interval"),
            r.Int("scheduler.agent.log-chunk-bytes", 1_000, WireLimits.MaxLogChunkBytes),
            r.DurationOrInfinite("scheduler.agent.retention"),
            r.Duration("scheduler.agent.release-interval"));
        if (settings.UnreachableAfter <= settings.HeartbeatInterval)
        {
            throw r.Invalid("scheduler.unreachable-after", $"a duration longer than scheduler.heartbeat-interval ({Durations.Format(settings.HeartbeatInterval)})");
        }

        if (settings.FindMasterAfter <= settings.HeartbeatInterval)
        {
            throw r.Invalid("scheduler.agent.find-master-after", $"a duration longer than scheduler.heartbeat-interval ({Durations.Format(settings.HeartbeatInterval)})");
        }

        if (settings.ReconnectWindow is { } window && window <= settings.UnreachableAfter)
        {
            throw r.Invalid("scheduler.agent.reconnect-window", $"infinite or a duration longer than scheduler.unreachable-after ({Durations.Format(settings.UnreachableAfter)})");
        }

        return settings;
    }
}
