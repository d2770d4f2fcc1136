using Scheduler.Contracts.Jobs;

namespace Scheduler.Contracts.Client;

/// <summary>Every job, by id. Answered by <see cref="JobsResult"/>.</summary>
public sealed record GetJobs : IClientRequest
{
    public static GetJobs Instance { get; } = new();
}

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
