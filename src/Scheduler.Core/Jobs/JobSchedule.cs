using Cronos;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Core.Configuration;

namespace Scheduler.Core.Jobs;

/// <summary>
/// A job's fire times, validated from its <see cref="JobScheduleSpec"/>. Pure: the next time strictly after a
/// given moment, so the Master can persist it, and after a fail-over, a restart or a pause continue from it.
/// </summary>
public abstract record JobSchedule
{
    /// <summary>The first fire time strictly after <paramref name="after"/>; null when the job never fires again.</summary>
    /// <param name="definedAt">When the job was defined: an interval counts from there.</param>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset definedAt);

    /// <summary>One line for the operator: "cron */2 * * * * * (UTC)", "every 2s", "at …", "on demand".</summary>
    public abstract string Describe();

    /// <summary>A job (re)defined at <paramref name="now"/>: its first fire time counts from then (an interval does).</summary>
    public static JobDefined Defined(JobSpec spec, string source, DateTimeOffset now) =>
        new(spec, source, (From(spec.Schedule).Schedule ?? OnDemandSchedule.Instance).NextAfter(now, now), now);

    /// <summary>The schedule a spec names, or the reason it names none.</summary>
    public static (JobSchedule? Schedule, string? Problem) From(JobScheduleSpec spec)
    {
        var kinds = new object?[] { spec.Cron, spec.Interval, spec.At }.Count(k => k is not null);
        if (kinds > 1)
        {
            return (null, "give one of schedule (cron), interval and at, not several");
        }

        if (spec.TimeZone is not null && spec.Cron is null)
        {
            return (null, "time-zone applies only to a cron schedule");
        }

        if (spec.Cron is { } cron)
        {
            return CronSchedule.Parse(cron, spec.TimeZone);
        }

        if (spec.Interval is { } every)
        {
            return every >= IntervalSchedule.Shortest
                ? (new IntervalSchedule(every), null)
                : (null, $"the interval must be at least {Durations.Format(IntervalSchedule.Shortest)}");
        }

        return spec.At is { } at ? (new OneTimeSchedule(at), null) : (OnDemandSchedule.Instance, null);
    }
}

/// <summary>Cron with optional seconds (6 fields, seconds first), in a time zone; DST gaps and overlaps as Cronos defines them.</summary>
public sealed record CronSchedule(string Expression, TimeZoneInfo Zone, CronExpression Cron) : JobSchedule
{
    public static (JobSchedule? Schedule, string? Problem) Parse(string expression, string? timeZone)
    {
        TimeZoneInfo zone;
        try
        {
            zone = timeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return (null, $"unknown time zone '{timeZone}' (an IANA name such as Europe/Berlin, or UTC)");
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return (new CronSchedule(expression.Trim(), zone, CronExpression.Parse(expression.Trim(), format)), null);
        }
        catch (CronFormatException e)
        {
            return (null, $"'{expression}' is not a cron expression ({e.Message}); expected 5 fields, or 6 with seconds first");
        }
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset definedAt) =>
        Cron.GetNextOccurrence(after, Zone, inclusive: false);

    public override string Describe() => $"cron {Expression} ({Zone.Id})";
}

/// <summary>Every <paramref name="Every"/>, counted from when the job was defined (not from when a run ended).</summary>
public sealed record IntervalSchedule(TimeSpan Every) : JobSchedule
{
    /// <summary>Shorter intervals would be a busy loop of task starts, not a schedule.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset definedAt)
    {
        if (after < definedAt)
        {
            return definedAt + Every;
        }

        var elapsed = (after - definedAt).Ticks / Every.Ticks;
        return definedAt + TimeSpan.FromTicks((elapsed + 1) * Every.Ticks);
    }

    public override string Describe() => $"every {Durations.Format(Every)}";
}

/// <summary>Once, at <paramref name="At"/>.</summary>
public sealed record OneTimeSchedule(DateTimeOffset At) : JobSchedule
{
    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset definedAt) => At > after ? At : null;

    public override string Describe() => $"at {At:yyyy-MM-dd'T'HH:mm:ssK}";
}

/// <summary>Never by itself: only <c>scheduler job run</c>.</summary>
public sealed record OnDemandSchedule : JobSchedule
{
    public static OnDemandSchedule Instance { get; } = new();

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset definedAt) => null;

    public override string Describe() => "on demand";
}
