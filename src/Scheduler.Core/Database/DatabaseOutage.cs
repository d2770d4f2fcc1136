using Scheduler.Core.Configuration;

namespace Scheduler.Core.Database;

/// <summary>
/// The Master's database is unavailable: since when, why, how many attempts were made to reach it again and
/// when the next one is due. Pure; the scheduler guard keeps one while its scheduler is down.
/// </summary>
public sealed record DatabaseOutage(DateTimeOffset Since, string Error, int Attempts, DateTimeOffset NextAttemptAt, bool Attempting)
{
    /// <summary>The first failure: the first attempt is one retry interval later.</summary>
    public static DatabaseOutage Began(DateTimeOffset now, string error, TimeSpan retryInterval) =>
        new(now, error, 0, now + retryInterval, Attempting: false);

    /// <summary>An attempt to reach the database starts now.</summary>
    public DatabaseOutage AttemptStarted() => this with { Attempts = Attempts + 1, Attempting = true };

    /// <summary>The attempt failed; the next one is one retry interval from now.</summary>
    public DatabaseOutage AttemptFailed(DateTimeOffset now, string error, TimeSpan retryInterval) =>
        this with { Error = error, NextAttemptAt = now + retryInterval, Attempting = false };

    /// <summary>Whether the Master should make way now (<paramref name="limit"/> null: never).</summary>
    public bool IsPastLimit(DateTimeOffset now, TimeSpan? limit) => limit is { } l && now - Since >= l;

    /// <summary>One line for operators and callers: "database unavailable since …, attempt N, next at …: error".</summary>
    public string Describe(DateTimeOffset now)
    {
        var attempt = Attempting
            ? $"attempt {Attempts} in progress"
            : Attempts == 0 ? $"first attempt at {NextAttemptAt:HH:mm:ss}" : $"attempt {Attempts} failed, next at {NextAttemptAt:HH:mm:ss}";
        return $"database unavailable since {Since:yyyy-MM-dd HH:mm:ss}Z ({Durations.Describe(now - Since)}), {attempt}: {Error}";
    }

    /// <summary>The outage as history once the database is back: "available; unavailable from … to … (4.2s), back on attempt 1 (…)".</summary>
    public string DescribeEnded(DateTimeOffset recoveredAt) =>
        $"available; unavailable from {Since:yyyy-MM-dd HH:mm:ss}Z to {recoveredAt:HH:mm:ss}Z ({Durations.Describe(recoveredAt - Since)}), "
        + $"back on attempt {Attempts} ({Error})";
}
