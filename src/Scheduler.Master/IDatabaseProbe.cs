namespace Scheduler.Master;

/// <summary>
/// A cheap check that the Master's database answers (a <c>SELECT 1</c>). Writes find a failed database too, but
/// only when there is something to write: the probe finds it while the Master is idle, and tells when to retry.
/// </summary>
public interface IDatabaseProbe
{
    /// <summary>Completes when the database answered; throws with the driver's reason when it did not.</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Drops the pooled connections of the Master's database: after a server restart each pooled connection would
    /// fail its first command (PostgreSQL 57P01), so the first attempt after an outage would fail for nothing.
    /// </summary>
    void ResetConnections();
}

/// <summary>What the Master uses of its database besides the Akka.Persistence journal: the check and the history table.</summary>
public sealed record MasterDatabase(IDatabaseProbe Probe, History.TaskHistoryStore History);
