using Akka.Actor;
using Akka.Event;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Jobs;
using Scheduler.Core.Scheduling;

namespace Scheduler.Master;

/// <summary>
/// Jobs: the configured ones are defined when the scheduler starts, and due ones fire on a short tick. A run is a
/// task persisted together with the job's next fire time (<see cref="JobFired"/>), then started like a submitted
/// task, so a fail-over neither loses nor repeats it. A due job whose agent is not connected, or whose
/// <c>max-concurrent</c> runs are all unfinished (a run on an unreachable agent counts: it may still be running),
/// waits; when it can fire, its misfire policy decides about the times it missed. A paused Master fires nothing.
/// </summary>
public sealed partial class SchedulerActor
{
    private const string ApiSource = "api";
    private static readonly TimeSpan JobTickInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Defines new and changed configured jobs and removes configured jobs no longer in the configuration.</summary>
    private void DefineConfiguredJobs()
    {
        foreach (var e in _state.ConfiguredJobChanges(_settings.Jobs, Now))
        {
            PersistAndApply(e, _ => _log.Info("{Change}", _state.EventLog[^1].Message));
        }
    }

    /// <summary>
    /// One action per job and tick (the runs it persists are numbered from the state as it is now): a due re-run
    /// first, else a due fire time.
    /// </summary>
    private void FireDueJobs()
    {
        if (_state.Paused)
        {
            return;
        }

        var now = Now;
        foreach (var job in _state.ActiveJobs)
        {
            if (job.DueRerun(now) is { } rerun)
            {
                Rerun(job, rerun);
            }
            else if (job.NextFireAt <= now)
            {
                FireDue(job);
            }
        }
    }

    /// <summary>A failed run retried, or a lost run of a restartable job run again; it waits for an agent and a slot like any run.</summary>
    private void Rerun(JobEntry job, JobRerun rerun)
    {
        if (FreeSlots(job.Spec) <= 0 || ChooseAgent(job.Spec) is not { } agent)
        {
            return;
        }

        var run = job.Runs + 1;
        PersistAndApply(new JobFired(job.Spec.JobId, run, agent, RunSpec(job.Spec, run, rerun.DueAt), rerun.DueAt, job.NextFireAt, 0, Now,
            rerun.Attempt, rerun.AfterTaskId), e =>
        {
            _log.Info("Job {JobId}: attempt {Attempt} as {TaskId} ({Reason})", job.Spec.JobId, rerun.Attempt, ((JobFired)e).Task.TaskId, rerun.Reason);
            Started((JobFired)e);
        });
    }

    private void FireDue(JobEntry job)
    {
        var id = job.Spec.JobId;
        var slots = FreeSlots(job.Spec);
        if (slots <= 0 || ChooseAgent(job.Spec) is not { } agent)
        {
            return; // waits; the misfire policy decides once it can fire
        }

        var now = Now;
        var decision = Misfire.Decide(job.Schedule, job.DefinedAt, job.NextFireAt!.Value, now, job.Spec.Misfire);
        if (decision.FireNow.Count == 0)
        {
            PersistAndApply(new JobFireSkipped(id, decision.Next, decision.Skipped, now),
                _ => _log.Warning("Job {JobId}: {Skipped} missed fire time(s) skipped (misfire = skip); next at {NextFireAt}", id, decision.Skipped, decision.Next));
            return;
        }

        var fire = decision.FireNow.Take(slots).ToList();
        var skipped = decision.Skipped + decision.FireNow.Count - fire.Count;
        for (var i = 0; i < fire.Count; i++)
        {
            var run = job.Runs + 1 + i;
            PersistAndApply(new JobFired(id, run, agent, RunSpec(job.Spec, run, fire[i]), fire[i], decision.Next, i == fire.Count - 1 ? skipped : 0, now),
                e => Started((JobFired)e));
        }
    }

    /// <summary>
    /// Jobs from the Client API (<c>scheduler job add</c>): all checked first — rules, a known agent, labels some
    /// registered agent carries — then each defined (source "api"), or changed when the id exists.
    /// </summary>
    private void OnAddJobs(AddJobs request)
    {
        var problem = request.Jobs.Count == 0 ? "no jobs given"
            : request.Jobs.GroupBy(j => j.JobId).FirstOrDefault(g => g.Count() > 1) is { } twice ? $"job '{twice.Key}' is given twice"
            : request.Jobs.Select(j => JobRules.Problem(j) is { } p ? $"job '{j.JobId}': {p}" : TargetUnknown(j)).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            Sender.Tell(new RequestFailed(ErrorCode.InvalidRequest, problem));
            return;
        }

        var now = Now;
        var replyTo = Sender;
        foreach (var spec in request.Jobs)
        {
            PersistAndApply(JobSchedule.Defined(spec, ApiSource, now), _ =>
            {
                _log.Info("{Change}", _state.EventLog[^1].Message);
                if (ReferenceEquals(spec, request.Jobs[^1]))
                {
                    replyTo.Tell(new JobsResult(request.Jobs.Select(j => JobView(_state.Jobs[j.JobId])).ToList()));
                }
            });
        }
    }

    /// <summary>A named agent the Master has never seen, or labels no registered agent carries (likely a typo).</summary>
    private string? TargetUnknown(JobSpec job)
    {
        if (job.Agent is { } name)
        {
            return _sessions.ContainsKey(name) || _state.Cursors.ContainsKey(name) ? null
                : $"job '{job.JobId}': unknown agent '{name}' (known: {KnownList(_sessions.Keys.Concat(_state.Cursors.Keys).Distinct().Order())})";
        }

        return _sessions.Values.Any(s => job.Labels.All(s.Labels.Contains)) ? null
            : $"job '{job.JobId}': no registered agent has the labels [{string.Join(", ", job.Labels)}] "
              + $"(agents: {KnownList(_sessions.Values.OrderBy(s => s.Name).Select(s => $"{s.Name} [{string.Join(", ", s.Labels)}]"))})";
    }

    private void OnRemoveJob(RemoveJob request)
    {
        if (ActiveJob(request.JobId) is not { } job)
        {
            return;
        }

        var before = JobView(job);
        var replyTo = Sender;
        PersistAndApply(new JobRemoved(job.Spec.JobId, "removed on request", Now), _ =>
        {
            _log.Info("{Change}", _state.EventLog[^1].Message);
            replyTo.Tell(new JobsResult([before]));
        });
    }

    /// <summary>The active job of that id; otherwise the sender is told which jobs there are.</summary>
    private JobEntry? ActiveJob(string jobId)
    {
        if (_state.Jobs.TryGetValue(jobId, out var job) && !job.Removed)
        {
            return job;
        }

        Sender.Tell(new RequestFailed(ErrorCode.NotFound, $"no job '{jobId}' (known: {KnownList(_state.ActiveJobs.Select(j => j.Spec.JobId))})"));
        return null;
    }

    private static string KnownList(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private void OnRunJob(RunJob request)
    {
        if (ActiveJob(request.JobId) is not { } job)
        {
            return;
        }

        var unfinished = _state.UnfinishedRuns(job.Spec.JobId);
        if (unfinished >= job.Spec.MaxConcurrent)
        {
            Sender.Tell(new RequestFailed(ErrorCode.InvalidRequest,
                $"job '{job.Spec.JobId}' has {unfinished} unfinished run(s) and max-concurrent = {job.Spec.MaxConcurrent}; not run"));
            return;
        }

        if (ChooseAgent(job.Spec) is not { } agent)
        {
            Sender.Tell(new RequestFailed(ErrorCode.AgentUnavailable, $"job '{job.Spec.JobId}': no connected agent {Target(job.Spec)}"));
            return;
        }

        var now = Now;
        var replyTo = Sender;
        var run = job.Runs + 1;
        PersistAndApply(new JobFired(job.Spec.JobId, run, agent, RunSpec(job.Spec, run, now), now, job.NextFireAt, 0, now), e =>
        {
            var fired = (JobFired)e;
            Started(fired);
            replyTo.Tell(new TaskResult(View(_state.Tasks[fired.Task.TaskId])));
        });
    }

    private void Started(JobFired fired)
    {
        _log.Info("Job {JobId} run {Run} (task {TaskId}) for {ScheduledFor:O} on agent {AgentName}",
            fired.JobId, fired.Run, fired.Task.TaskId, fired.ScheduledFor, fired.Agent);
        StartIfConnected(fired.Agent, fired.Task);
    }

    /// <summary>Runs the job may start now: a run on an unreachable agent is unfinished, it may still be running.</summary>
    private int FreeSlots(JobSpec job) => job.MaxConcurrent - _state.UnfinishedRuns(job.JobId);

    /// <summary>The named agent if connected; by labels, the connected agent with every label and the fewest unfinished tasks.</summary>
    private string? ChooseAgent(JobSpec job)
    {
        if (job.Agent is { } name)
        {
            return _sessions.TryGetValue(name, out var session) && session.IsConnected ? name : null;
        }

        return _sessions.Values
            .Where(s => s.IsConnected && job.Labels.All(label => s.Labels.Contains(label)))
            .OrderBy(s => _state.Unfinished(s.Name).Count())
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => s.Name)
            .FirstOrDefault();
    }

    private static string Target(JobSpec job) => job.Agent is { } agent ? $"named '{agent}'" : $"with labels [{string.Join(", ", job.Labels)}]";

    /// <summary>The run's task: the job's command, with the job, run and scheduled time in its environment.</summary>
    private static TaskSpec RunSpec(JobSpec job, long run, DateTimeOffset scheduledFor)
    {
        var environment = new Dictionary<string, string>(job.Environment)
        {
            ["SCHEDULER_JOB_ID"] = job.JobId,
            ["SCHEDULER_JOB_RUN"] = run.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SCHEDULER_SCHEDULED_FOR"] = scheduledFor.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        return new TaskSpec(JobRules.RunTaskId(job.JobId, run), job.Command, job.WorkingDirectory, environment, job.Timeout, job.KillGrace);
    }

    private JobsResult JobViews() => new(_state.ActiveJobs.Select(JobView).ToList());

    private JobView JobView(JobEntry j) =>
        new(j.Spec, j.Schedule.Describe(), j.Source, j.Runs, _state.UnfinishedRuns(j.Spec.JobId), j.NextFireAt, j.DefinedAt);

    private sealed class FireJobs : INoSerializationVerificationNeeded
    {
        public static FireJobs Instance { get; } = new();
    }
}
