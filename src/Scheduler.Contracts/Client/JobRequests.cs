using Scheduler.Contracts.Jobs;

namespace Scheduler.Contracts.Client;

/// <summary>Every job, by id. Answered by <see cref="JobsResult"/>.</summary>
public sealed record GetJobs : IClientRequest
{
    public static GetJobs Instance { get; } = new();
}

/// <summary>
/// Defines jobs, or changes those with the same id (a job from the configuration too, until the configuration is
/// read again at the next start). Checked as a whole first: nothing is defined if one is invalid. Answered by
/// <see cref="JobsResult"/> with the jobs as defined.
/// </summary>
public sealed record AddJobs(IReadOnlyList<JobSpec> Jobs) : IClientRequest;

/// <summary>Removes a job: it fires no more; its runs stay (running ones run on). Answered by <see cref="JobsResult"/> with the job as it was.</summary>
public sealed record RemoveJob(string JobId) : IClientRequest;

/// <summary>Runs a job once now, besides its schedule. Answered by <see cref="TaskResult"/> with the run's task.</summary>
public sealed record RunJob(string JobId) : IClientRequest;

/// <summary>Jobs, ordered by id.</summary>
public sealed record JobsResult(IReadOnlyList<JobView> Jobs) : ISchedulerMessage;

/// <summary>
/// A job as the operator sees it: its definition, where it came from ("config"), how many runs it had, how many of
/// them are not final, and when it fires next (null: never by itself).
/// </summary>
public sealed record JobView(
    JobSpec Spec,
    string Schedule,
    string Source,
    long Runs,
    int Unfinished,
    DateTimeOffset? NextFireAt,
    DateTimeOffset DefinedAt);
