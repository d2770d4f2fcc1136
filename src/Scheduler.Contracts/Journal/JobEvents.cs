using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Journal;

/// <summary>
/// A job was defined or redefined (from a <c>scheduler.jobs</c> file at start-up: <paramref name="Source"/>
/// "config"). Its next fire time is persisted with it, so every master continues from the same one.
/// </summary>
public sealed record JobDefined(JobSpec Job, string Source, DateTimeOffset? NextFireAt, DateTimeOffset At) : IMasterEvent;

/// <summary>A job was removed; its runs stay in the history, and its run count is kept should it come back.</summary>
public sealed record JobRemoved(string JobId, string Reason, DateTimeOffset At) : IMasterEvent;

/// <summary>
/// Run <paramref name="Run"/> of a job: the task is accepted for <paramref name="Agent"/> (as a submitted task),
/// and the job's next fire time moves to <paramref name="NextFireAt"/>, in one write — a fail-over can neither
/// lose nor repeat the run. <paramref name="Skipped"/> missed fire times were left out by the misfire policy.
/// A run again after a failed or lost one has <paramref name="Attempt"/> above 1 and names that run in
/// <paramref name="RerunOf"/>; it leaves the next fire time as it was.
/// </summary>
public sealed record JobFired(
    string JobId,
    long Run,
    string Agent,
    TaskSpec Task,
    DateTimeOffset ScheduledFor,
    DateTimeOffset? NextFireAt,
    int Skipped,
    DateTimeOffset At,
    int Attempt = 1,
    string? RerunOf = null) : IMasterEvent;

/// <summary>Missed fire times skipped without a run (misfire policy <c>skip</c>); the next fire time moves on.</summary>
public sealed record JobFireSkipped(string JobId, DateTimeOffset? NextFireAt, int Skipped, DateTimeOffset At) : IMasterEvent;
