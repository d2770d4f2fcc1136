using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Core.Configuration;
using Scheduler.Contracts.Jobs;
using Scheduler.Core.Database;
using Scheduler.Core.Jobs;

namespace Scheduler.Master;

/// <summary>
/// The Master's settings, read from <c>scheduler.*</c> with the embedded reference.conf as fallback and validated;
/// <see cref="Jobs"/> are the <c>scheduler.jobs</c> of the configuration, defined (or changed) when the scheduler starts.
/// </summary>
public sealed record MasterSettings(
    string DataDir,
    JournalKind JournalKind,
    string ConnectionString,
    TimeSpan DbRetryInterval,
    TimeSpan DbCheckInterval,
    TimeSpan DbCheckTimeout,
    DatabaseGiveUp DbGiveUpAfter,
    TimeSpan HeartbeatInterval,
    TimeSpan UnreachableAfter,
    TimeSpan LostAfter,
    TimeSpan OutboxResendInterval,
    TimeSpan LogCopyInterval,
    TimeSpan HistoryMoveInterval,
    int SnapshotEvery,
    bool StartPaused,
    int LogChunkBytes,
    IReadOnlyList<JobSpec> Jobs)
{
    public static Config DefaultConfig { get; } = ReferenceConfig.Load(typeof(MasterSettings).Assembly, "Scheduler.Master.reference.conf");

    public string JournalPath => Path.Combine(DataDir, "journal.db");

    /// <summary>The journal kind as configured: <c>sqlite</c> or <c>postgresql</c>.</summary>
    public string JournalKindName => JournalKind == JournalKind.Sqlite ? "sqlite" : "postgresql";

    public static MasterSettings Create(Config config, string origin = "configuration")
    {
        var r = new HoconReader(config.WithFallback(DefaultConfig), origin);
        var kind = r.String("scheduler.master.journal.kind") switch
        {
            "sqlite" => JournalKind.Sqlite,
            "postgresql" => JournalKind.PostgreSql,
            _ => throw r.Invalid("scheduler.master.journal.kind", "sqlite or postgresql"),
        };
        var connectionString = r.String("scheduler.master.journal.connection-string", allowEmpty: kind == JournalKind.Sqlite);
        var settings = new MasterSettings(
            Path.GetFullPath(r.String("scheduler.master.data-dir")),
            kind,
            connectionString,
            r.Duration("scheduler.master.db.retry-interval"),
            r.Duration("scheduler.master.db.check-interval"),
            r.Duration("scheduler.master.db.check-timeout"),
            GiveUpAfter(r),
            r.Duration("scheduler.heartbeat-interval"),
            r.Duration("scheduler.unreachable-after"),
            r.Duration("scheduler.master.lost-after"),
            r.Duration("scheduler.master.outbox-resend-interval"),
            r.Duration("scheduler.master.log-copy-interval"),
            r.Duration("scheduler.master.history-move-interval"),
            r.Int("scheduler.master.snapshot-every", 10, 1_000_000),
            r.Bool("scheduler.master.start-paused"),
            r.Int("scheduler.master.log-chunk-bytes", 1_000, WireLimits.MaxLogChunkBytes),
            JobsConfig.Read(config, origin));
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

    /// <summary><c>auto</c>, <c>infinite</c> or a duration; how a cluster of several masters caps it is <see cref="DatabaseGiveUp"/>'s.</summary>
    private static DatabaseGiveUp GiveUpAfter(HoconReader r)
    {
        const string key = "scheduler.master.db.give-up-after";
        var giveUp = r.String(key).Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? DatabaseGiveUp.Auto
            : new DatabaseGiveUp(r.DurationOrInfinite(key), IsAuto: false);
        var seeds = r.StringList("akka.cluster.seed-nodes");
        if (seeds.Count > 1 && !giveUp.AllowedInCluster)
        {
            throw r.Invalid(key, $"auto or at most {Durations.Format(DatabaseGiveUp.ClusterMaximum)} in a cluster of several masters "
                                 + $"(akka.cluster.seed-nodes names {seeds.Count}): another master must be able to take over");
        }

        return giveUp;
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

/// <summary>Where the Master keeps its journal (state, history, copies of task logs).</summary>
public enum JournalKind
{
    /// <summary>A SQLite file under the data folder: one Master.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database: production, and every cluster of several masters.</summary>
    PostgreSql,
}
