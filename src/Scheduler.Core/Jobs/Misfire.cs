using Scheduler.Contracts.Jobs;

namespace Scheduler.Core.Jobs;

/// <summary>
/// The runs one due job gets now. A fire time is on time if the Master reaches it within <see cref="Tolerance"/>
/// and no later one is due as well; otherwise the Master missed fire times (it was down, paused, or had no
/// database) and the job's <see cref="MisfirePolicy"/> decides. Pure, so it is the same on every master.
/// </summary>
public static class Misfire
{
    /// <summary>How late a fire time may be reached and still count as on time (a busy Master, a slow hand-over).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most runs <see cref="MisfirePolicy.FireAll"/> makes up for at once (the oldest missed times); the rest are
    /// skipped. Missed times are only counted this far: a per-second cron down for a day is not listed.
    /// </summary>
    public const int FireAllLimit = 100;

    /// <summary>What to fire at <paramref name="now"/> for a job whose persisted next fire time is <paramref name="due"/>.</summary>
    public static FireDecision Decide(JobSchedule schedule, DateTimeOffset definedAt, DateTimeOffset due, DateTimeOffset now, MisfirePolicy policy)
    {
        if (due > now)
        {
            return new FireDecision([], due, 0, MoreMissed: false);
        }

        var missed = new List<DateTimeOffset>();
        DateTimeOffset? time = due;
        while (time is { } t && t <= now && missed.Count <= FireAllLimit)
        {
            missed.Add(t);
            time = schedule.NextAfter(t, definedAt);
        }

        var more = time is { } after && after <= now;
        var next = more ? schedule.NextAfter(now, definedAt) : time;
        if (missed.Count == 1 && now - due <= Tolerance)
        {
            return new FireDecision([due], next, 0, MoreMissed: false);
        }

        return policy switch
        {
            MisfirePolicy.Skip => new FireDecision([], next, missed.Count, more),
            MisfirePolicy.FireAll => new FireDecision([.. missed.Take(FireAllLimit)], next, Math.Max(0, missed.Count - FireAllLimit), more),
            // One make-up run for all of them, scheduled now.
            _ => new FireDecision([now], next, missed.Count - 1, more),
        };
    }
}

/// <summary>
/// Runs to start now (by their scheduled times), the next fire time to persist (null: never again), and how many
/// fire times were skipped — at least that many when <paramref name="MoreMissed"/> (the count stopped there).
/// </summary>
public sealed record FireDecision(IReadOnlyList<DateTimeOffset> FireNow, DateTimeOffset? Next, int Skipped, bool MoreMissed);
