using System.Collections.Immutable;
using Scheduler.Contracts.Jobs;
using Scheduler.Core.Jobs;

namespace Scheduler.Core.Scheduling;

/// <summary>
/// A job in the Master's state: its definition, where it came from, when it was (re)defined (an interval counts from
/// there), how many runs it had (the next run is <c>Runs + 1</c>) and its persisted next fire time (null: never by
/// itself). A removed job keeps its entry, so a job defined again under the id never reuses a run's task id.
/// </summary>
public sealed record JobEntry(JobSpec Spec, string Source, DateTimeOffset DefinedAt, long Runs, DateTimeOffset? NextFireAt, bool Removed = false)
{
    /// <summary>Runs to start again (after a failed or lost run), oldest first; not positional, so older snapshots read as none.</summary>
    public ImmutableList<JobRerun> Reruns { get; init; } = ImmutableList<JobRerun>.Empty;

    /// <summary>The validated schedule (the spec was checked before it was persisted).</summary>
    public JobSchedule Schedule => JobSchedule.From(Spec.Schedule).Schedule ?? OnDemandSchedule.Instance;

    public string NextTaskId => JobRules.RunTaskId(Spec.JobId, Runs + 1);

    /// <summary>The oldest re-run that is due at <paramref name="now"/>, if any.</summary>
    public JobRerun? DueRerun(DateTimeOffset now) => Reruns.FirstOrDefault(r => r.DueAt <= now);
}
