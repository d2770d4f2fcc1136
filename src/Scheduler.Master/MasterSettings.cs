using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Core.Configuration;

namespace Scheduler.Master;

/// <summary>The Master's settings, read from <c>scheduler.*</c> with the embedded reference.conf as fallback and validated.</summary>
public sealed record MasterSettings(
    string DataDir,
    string JournalKind,
    TimeSpan HeartbeatInterval,
    TimeSpan UnreachableAfter,
    TimeSpan LostAfter,
    TimeSpan OutboxResendInterval,
    TimeSpan LogCopyInterval,
    int LogChunkBytes)
{
    public static Config DefaultConfig { get; } = ReferenceConfig.Load(typeof(MasterSettings).Assembly, "Scheduler.Master.reference.conf");

    public string JournalPath => Path.Combine(DataDir, "journal.db");

    public static MasterSettings Create(Config config, string origin = "configuration")
    {
        var r = new HoconReader(config.WithFallback(DefaultConfig), origin);
        var kind = r.String("scheduler.master.journal.kind");
        if (kind != "sqlite")
        {
            throw r.Invalid("scheduler.master.journal.kind", "sqlite");
        }

        var settings = new MasterSettings(
            Path.GetFullPath(r.String("scheduler.master.data-dir")),
            kind,
            r.Duration("scheduler.heartbeat-interval"),
            r.Duration("scheduler.unreachable-after"),
            r.Duration("scheduler.master.lost-after"),
            r.Duration("scheduler.master.outbox-resend-interval"),
            r.Duration("scheduler.master.log-copy-interval"),
            r.Int("scheduler.master.log-chunk-bytes", 1_000, WireLimits.MaxLogChunkBytes));
        if (settings.UnreachableAfter <= settings.HeartbeatInterval)
        {
            throw r.Invalid("scheduler.unreachable-after", $"a duration longer than scheduler.heartbeat-interval ({Durations.Format(settings.HeartbeatInterval)})");
        }

        if (settings.LostAfter <= settings.UnreachableAfter)
        {
            throw r.Invalid("scheduler.master.lost-after", $"a duration longer than scheduler.unreachable-after ({Durations.Format(settings.UnreachableAfter)})");
        }

        return settings;
    }

    /// <summary>
    /// Refuses a lost-after that would let the Master give an agent up before the agent killed its tasks itself
    /// (window + kill-grace). Only a node that knows both settings (standalone) can check this at start-up;
    /// otherwise the Master stretches each agent's deadline to its window when it registers.
    /// </summary>
    public MasterSettings CheckedAgainstAgentWindow(TimeSpan? window, TimeSpan killGrace, string origin)
    {
        if (window is { } w && LostAfter <= w + killGrace)
        {
            throw new SettingsException(
                $"{origin}: scheduler.master.lost-after = {Durations.Format(LostAfter)} is invalid; expected a duration longer than "
                + $"scheduler.agent.reconnect-window + scheduler.agent.kill-grace ({Durations.Format(w + killGrace)})");
        }

        return this;
    }
}
