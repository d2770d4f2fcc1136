namespace Scheduler.Contracts.Client;

/// <summary>
/// The Master's own state: answered even while its database is unavailable (then the scheduler is stopped and
/// the counts are unknown). Answered by <see cref="StatusResult"/>.
/// </summary>
public sealed record GetStatus : IClientRequest
{
    public static GetStatus Instance { get; } = new();
}

public sealed record StatusResult(MasterStatus Status) : ISchedulerMessage;

/// <param name="Node">The master node (HOST:PORT) holding the scheduler singleton.</param>
/// <param name="RunId">The run of the scheduler now, or the last one before its database failed; null before the first.</param>
/// <param name="JournalKind"><c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="Agents">Agents by state, null while the database is unavailable.</param>
/// <param name="UnfinishedTasks">Tasks not final yet, null while the database is unavailable.</param>
/// <param name="Paused">The Master starts no task until resumed; null while the database is unavailable.</param>
public sealed record MasterStatus(
    string Node,
    string? RunId,
    long Epoch,
    string JournalKind,
    DatabaseStatus Database,
    AgentCounts? Agents,
    int? UnfinishedTasks,
    bool? Paused = null);

/// <param name="Available">The scheduler is running on its database.</param>
/// <param name="Summary">One line: "available", or "database unavailable since …, attempt N, next at …: error".</param>
/// <param name="UnavailableSince">Start of the outage now, or of the last one when <paramref name="RecoveredAt"/> is set.</param>
/// <param name="Attempts">Attempts to reach the database in that outage (the last one succeeded when it ended).</param>
/// <param name="RecoveredAt">When the last outage ended; null during one or when there was none.</param>
public sealed record DatabaseStatus(
    bool Available,
    string Summary,
    DateTimeOffset? UnavailableSince = null,
    int Attempts = 0,
    DateTimeOffset? NextAttemptAt = null,
    string? Error = null,
    DateTimeOffset? RecoveredAt = null);

public sealed record AgentCounts(int Connected, int Unreachable, int Lost);

/// <summary>
/// Pause the Master: running tasks continue, nothing new starts; tasks submitted meanwhile stay <c>Pending</c>.
/// Persisted until <see cref="ResumeMaster"/>. Answered by <see cref="StatusResult"/>.
/// </summary>
public sealed record PauseMaster : IClientRequest
{
    public static PauseMaster Instance { get; } = new();
}

/// <summary>Resume a paused Master: pending tasks start. Answered by <see cref="StatusResult"/>.</summary>
public sealed record ResumeMaster : IClientRequest
{
    public static ResumeMaster Instance { get; } = new();
}
