using System.Collections.Immutable;
using System.Text.Json;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Core.Jobs;

namespace Scheduler.Core.Scheduling;

/// <summary>The jobs part of the Master's state: definitions, run counts and persisted next fire times.</summary>
public sealed partial record SchedulerState
{
    /// <summary>The source of a job from the master's configuration (one from the Client API is "api").</summary>
    public const string ConfigSource = "config";

    private static readonly JsonSerializerOptions SpecJson = SchedulerSerializer.CreateOptions();

    /// <summary>Every job by id, removed ones included (they keep their run count). Not positional: older snapshots have none.</summary>
    public ImmutableDictionary<string, JobEntry> Jobs { get; init; } = ImmutableDictionary<string, JobEntry>.Empty;

    /// <summary>Jobs not removed, by id.</summary>
    public IEnumerable<JobEntry> ActiveJobs => Jobs.Values.Where(j => !j.Removed).OrderBy(j => j.Spec.JobId, StringComparer.Ordinal);

    /// <summary>Runs of the job that are not final: on an unreachable agent a run still counts (it may still be running).</summary>
    public int UnfinishedRuns(string jobId) => Tasks.Values.Count(t => t.JobId == jobId && !t.IsFinal);

    /// <summary>
    /// What makes the persisted jobs match the configured ones: new and changed jobs defined (source "config"),
    /// configured jobs that left the configuration removed; jobs added through the Client API stay.
    /// </summary>
    public IReadOnlyList<IMasterEvent> ConfiguredJobChanges(IReadOnlyList<JobSpec> configured, DateTimeOffset now)
    {
        var ids = configured.Select(j => j.JobId).ToHashSet(StringComparer.Ordinal);
        return configured.Where(spec => !HasSameJob(spec))
            .Select(spec => (IMasterEvent)JobSchedule.Defined(spec, ConfigSource, now))
            .Concat(ActiveJobs.Where(j => j.Source == ConfigSource && !ids.Contains(j.Spec.JobId))
                .Select(j => new JobRemoved(j.Spec.JobId, "no longer in the configuration", now)))
            .ToList();
    }

    /// <summary>Whether <paramref name="spec"/> is what the active job of that id already is (lists compared by value).</summary>
    public bool HasSameJob(JobSpec spec) =>
        Jobs.TryGetValue(spec.JobId, out var job) && !job.Removed
        && JsonSerializer.Serialize(job.Spec, SpecJson) == JsonSerializer.Serialize(spec, SpecJson);

    private SchedulerState DefineJob(JobDefined d)
    {
        var runs = Jobs.TryGetValue(d.Job.JobId, out var old) ? old.Runs : 0;
        var entry = new JobEntry(d.Job, d.Source, d.At, runs, d.NextFireAt);
        return (this with { Jobs = Jobs.SetItem(d.Job.JobId, entry) }).Log(d.At, SchedulerEventKind.JobDefined, null,
            $"job {d.Job.JobId} {(old is { Removed: false } ? "changed" : "defined")} ({d.Source}): {entry.Schedule.Describe()}"
            + (d.NextFireAt is { } next ? $", next at {next:O}" : ""), []);
    }

    private SchedulerState RemoveJob(JobRemoved r) =>
        Jobs.TryGetValue(r.JobId, out var job)
            ? (this with { Jobs = Jobs.SetItem(r.JobId, job with { Removed = true, NextFireAt = null, Reruns = [] }) })
                .Log(r.At, SchedulerEventKind.JobRemoved, null, $"job {r.JobId} removed: {r.Reason}", [])
            : this;

    /// <summary>The run's task is accepted exactly as a submitted one, marked with its job.</summary>
    private SchedulerState FireJob(JobFired f)
    {
        if (!Jobs.TryGetValue(f.JobId, out var job))
        {
            return this;
        }

        var state = Apply(new TaskSubmitted(f.Agent, f.Task, f.At));
        state = state with
        {
            Tasks = state.Tasks.SetItem(f.Task.TaskId, state.Tasks[f.Task.TaskId] with { JobId = f.JobId, Attempt = f.Attempt }),
            Jobs = state.Jobs.SetItem(f.JobId, job with
            {
                Runs = Math.Max(job.Runs, f.Run),
                NextFireAt = f.NextFireAt,
                Reruns = f.RerunOf is { } rerunOf ? job.Reruns.RemoveAll(r => r.AfterTaskId == rerunOf) : job.Reruns,
            }),
        };
        return f.Skipped == 0 ? state : state.Misfired(job, f.Skipped, f.At);
    }

    /// <summary>Runs that became final with this event and, by their job's rules, run again (<see cref="JobRerun.After"/>).</summary>
    private SchedulerState ScheduleReruns(SchedulerState before)
    {
        if (Jobs.IsEmpty || ReferenceEquals(Tasks, before.Tasks))
        {
            return this;
        }

        var jobs = Jobs;
        foreach (var task in Tasks.Values.Where(t => t.JobId is not null && t.IsFinal).OrderBy(t => t.Sequence))
        {
            if (before.Tasks.TryGetValue(task.Spec.TaskId, out var was) && !was.IsFinal
                && jobs.TryGetValue(task.JobId!, out var job) && !job.Removed
                && JobRerun.After(job.Spec, task) is { } rerun)
            {
                jobs = jobs.SetItem(job.Spec.JobId, job with { Reruns = job.Reruns.Add(rerun) });
            }
        }

        return ReferenceEquals(jobs, Jobs) ? this : this with { Jobs = jobs };
    }

    private SchedulerState SkipJobFires(JobFireSkipped k) =>
        Jobs.TryGetValue(k.JobId, out var job)
            ? (this with { Jobs = Jobs.SetItem(k.JobId, job with { NextFireAt = k.NextFireAt }) }).Misfired(job, k.Skipped, k.At)
            : this;

    private SchedulerState Misfired(JobEntry job, int skipped, DateTimeOffset at) =>
        Log(at, SchedulerEventKind.JobMisfired, null,
            $"job {job.Spec.JobId}: {skipped} missed fire time(s) skipped (misfire = {JobsConfig.MisfireName(job.Spec.Misfire)})", []);
}
