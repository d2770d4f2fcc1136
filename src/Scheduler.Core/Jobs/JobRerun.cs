using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;

namespace Scheduler.Core.Jobs;

/// <summary>A run to start again at <paramref name="DueAt"/> as attempt <paramref name="Attempt"/>, because run <paramref name="AfterTaskId"/> ended as <paramref name="Reason"/> says.</summary>
public sealed record JobRerun(DateTimeOffset DueAt, int Attempt, string AfterTaskId, string Reason)
{
    /// <summary>
    /// What a job does when one of its runs has just become final. A <c>Failed</c> run is retried while its attempt
    /// is within <c>retry.count</c>, after <c>retry.backoff</c> doubled for each attempt before it. A <c>Lost</c> run
    /// of a <c>restartable</c> job runs again at once — the Master (or the agent itself) recorded it Lost only after
    /// the agent's deadline had passed or the agent had killed it, so the old process is certainly gone; such re-runs
    /// share the budget (one, plus <c>retry.count</c>). Anything else ends the run for good.
    /// </summary>
    public static JobRerun? After(JobSpec job, TaskEntry ended)
    {
        var retries = job.Retry?.Count ?? 0;
        var at = ended.EndedAt ?? ended.SubmittedAt;
        return ended.State switch
        {
            TaskState.Failed when ended.Attempt <= retries =>
                new JobRerun(at + job.Retry!.Backoff * Math.Pow(2, ended.Attempt - 1), ended.Attempt + 1, ended.Spec.TaskId,
                    $"retry {ended.Attempt} of {retries}: {ended.Spec.TaskId} failed"),
            TaskState.Lost when job.Restartable && ended.Attempt <= retries + 1 =>
                new JobRerun(at, ended.Attempt + 1, ended.Spec.TaskId, $"restart: {ended.Spec.TaskId} was lost ({ended.Reason})"),
            _ => null,
        };
    }
}
