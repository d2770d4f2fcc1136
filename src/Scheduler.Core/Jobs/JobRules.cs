using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Core.Jobs;

/// <summary>What makes a job acceptable, checked before it is persisted (from a file at start-up, or <c>job add</c>).</summary>
public static class JobRules
{
    /// <summary>Room left in a task id for the run number: a run is the task <c>{job id}.{run}</c>.</summary>
    public const int MaxJobIdLength = TaskIds.MaxLength - 12;

    public const int MaxRetries = 100;

    /// <summary>The task id of run <paramref name="run"/> of a job.</summary>
    public static string RunTaskId(string jobId, long run) => $"{jobId}.{run}";

    /// <summary>Null when the job can be accepted, else one line saying why not.</summary>
    public static string? Problem(JobSpec job) =>
        (job.JobId?.Length > MaxJobIdLength ? $"job id '{job.JobId[..20]}…' is longer than {MaxJobIdLength} characters" : null)
        ?? TaskIds.Problem(job.JobId, "job id")
        ?? TaskSpecRules.Problem(new TaskSpec(RunTaskId(job.JobId!, 1), job.Command, job.WorkingDirectory, job.Environment, job.Timeout))
        ?? TargetProblem(job)
        ?? (job.MaxConcurrent < 1 ? "max-concurrent must be at least 1" : null)
        ?? RetryProblem(job.Retry)
        ?? JobSchedule.From(job.Schedule).Problem;

    /// <summary>A job runs on one named agent, or on an agent chosen by labels: exactly one of the two.</summary>
    private static string? TargetProblem(JobSpec job) =>
        (job.Agent, job.Labels.Count) switch
        {
            (null, 0) => "name an agent (agent = NAME) or labels (labels = [L, …]) to run the job on",
            (not null, > 0) => "give agent or labels, not both",
            ({ } agent, _) => TaskIds.Problem(agent, "agent name"),
            _ => job.Labels.Select(label => TaskIds.Problem(label, "label")).FirstOrDefault(p => p is not null),
        };

    private static string? RetryProblem(RetrySpec? retry) =>
        retry is null ? null
        : retry.Count is < 0 or > MaxRetries ? $"retry.count must be from 0 to {MaxRetries}"
        : retry.Backoff <= TimeSpan.Zero ? "retry.backoff must be positive"
        : null;
}
