using Scheduler.Core.Configuration;

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

    /// <summary>
    /// One line when <paramref name="error"/> says the database itself is damaged (a corrupt SQLite file): not an outage,
    /// so the Master stops using it instead of retrying; null for every other error.
    /// </summary>
    string? CorruptionOf(Exception error) => null;
}

/// <summary>What the Master uses of its database besides the Akka.Persistence journal: the check and the history table.</summary>
public sealed record MasterDatabase(IDatabaseProbe Probe, History.TaskHistoryStore History);

public static class DatabaseProbeExtensions
{
    /// <summary>One check bounded by <paramref name="timeout"/>: null when the database answered, else why not.</summary>
    public static async Task<string?> TryCheckAsync(this IDatabaseProbe probe, TimeSpan timeout) =>
        (await probe.ProbeAsync(timeout).ConfigureAwait(false)).Error;

    /// <summary>One check bounded by <paramref name="timeout"/>, telling a damaged database from an unavailable one.</summary>
    public static async Task<ProbeResult> ProbeAsync(this IDatabaseProbe probe, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await probe.CheckAsync(cancel.Token).ConfigureAwait(false);
            return new ProbeResult(null, null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new ProbeResult($"no answer within {Durations.Format(timeout)} (scheduler.master.db.check-timeout)", null);
        }
        catch (Exception e)
        {
            return new ProbeResult(e.GetBaseException().Message, probe.CorruptionOf(e));
        }
    }
}

/// <summary>A check's outcome: <paramref name="Error"/> null when the database answered; <paramref name="Corruption"/> when it is damaged.</summary>
public sealed record ProbeResult(string? Error, string? Corruption);
