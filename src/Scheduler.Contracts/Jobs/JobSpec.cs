namespace Scheduler.Contracts.Jobs;

/// <summary>
/// A job: what to run (as a task's command, working directory, environment and timeout), where (a named agent,
/// or the least loaded connected agent carrying every one of <paramref name="Labels"/>), and when
/// (<paramref name="Schedule"/>). Each run is a task whose id is the job id and the run number.
/// </summary>
/// <param name="MaxConcurrent">Runs of this job that may be unfinished at once (a run on an unreachable agent counts).</param>
/// <param name="Restartable">A run concluded Lost may run again, once the agent's deadline has passed.</param>
/// <param name="Retry">What to do with a run that Failed.</param>
/// <param name="Misfire">What to do with fire times the Master missed (it was down or paused).</param>
/// <param name="KillGrace">SIGTERM to SIGKILL for a kill of a run, at most the agent's kill-grace (which applies when null).</param>
public sealed record JobSpec(
    string JobId,
    IReadOnlyList<string> Command,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string? Agent,
    IReadOnlyList<string> Labels,
    JobScheduleSpec Schedule,
    TimeSpan? Timeout = null,
    int MaxConcurrent = 1,
    bool Restartable = false,
    RetrySpec? Retry = null,
    MisfirePolicy Misfire = MisfirePolicy.FireOnce,
    TimeSpan? KillGrace = null);

/// <summary>
/// When a job fires: at most one of a cron expression (5 fields, or 6 with seconds first; in
/// <paramref name="TimeZone"/>, UTC when not given), a fixed interval, or one time; none of them: on demand only.
/// </summary>
public sealed record JobScheduleSpec(string? Cron = null, string? TimeZone = null, TimeSpan? Interval = null, DateTimeOffset? At = null)
{
    public static JobScheduleSpec OnDemand { get; } = new();
}

/// <summary>A failed run is run again up to <paramref name="Count"/> times, waiting <paramref name="Backoff"/>, doubled each time.</summary>
public sealed record RetrySpec(int Count, TimeSpan Backoff);

/// <summary>What a job does with fire times missed while the Master was down or paused.</summary>
public enum MisfirePolicy
{
    /// <summary>One run now for all the missed times, then on schedule.</summary>
    FireOnce,
    /// <summary>No run for missed times; on schedule from now.</summary>
    Skip,
    /// <summary>A run for each missed time (at most <c>Misfire.FireAllLimit</c>), then on schedule.</summary>
    FireAll,
}
