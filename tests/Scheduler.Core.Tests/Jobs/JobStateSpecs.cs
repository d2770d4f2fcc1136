using System.Text.Json;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;

namespace Scheduler.Core.Tests.Jobs;

public sealed class JobStateSpecs
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 4, 10, 0, 0, TimeSpan.Zero);

    private static JobSpec Hello(string echo = "hi") => new(
        "hello", ["echo", echo], null, new Dictionary<string, string>(), "a1", [], new JobScheduleSpec(Interval: TimeSpan.FromSeconds(10)));

    private static JobFired Fired(long run, DateTimeOffset? next) =>
        new("hello", run, "a1", new TaskSpec($"hello.{run}", ["echo", "hi"], null, new Dictionary<string, string>(), null), T0, next, 0, T0);

    [Fact]
    public void A_fired_run_should_be_a_task_of_its_job_and_move_the_next_fire_time_in_the_same_event()
    {
        var state = SchedulerState.Empty.Apply(new JobDefined(Hello(), "config", T0.AddSeconds(10), T0)).Apply(Fired(1, T0.AddSeconds(20)));

        var job = state.Jobs["hello"];
        Assert.Equal((1L, T0.AddSeconds(20), "hello.2"), (job.Runs, job.NextFireAt, job.NextTaskId));
        Assert.Equal(("a1", "hello"), (state.Tasks["hello.1"].Agent, state.Tasks["hello.1"].JobId));
        Assert.Equal(1, state.UnfinishedRuns("hello"));
        Assert.Empty(job.Reruns);
    }

    [Fact]
    public void A_job_removed_and_defined_again_should_go_on_counting_runs_so_no_task_id_is_reused()
    {
        var state = SchedulerState.Empty.Apply(new JobDefined(Hello(), "config", T0, T0)).Apply(Fired(1, null)).Apply(Fired(2, null))
            .Apply(new JobRemoved("hello", "no longer in the configuration", T0));
        Assert.Empty(state.ActiveJobs);
        Assert.False(state.HasSameJob(Hello()));

        state = state.Apply(new JobDefined(Hello(), "config", T0, T0));
        Assert.Equal("hello.3", state.Jobs["hello"].NextTaskId);
    }

    [Fact]
    public void The_same_definition_should_be_recognised_by_value_and_a_changed_one_not()
    {
        var state = SchedulerState.Empty.Apply(new JobDefined(Hello(), "config", T0, T0));

        Assert.True(state.HasSameJob(Hello()));
        Assert.False(state.HasSameJob(Hello("hello")));
    }

    [Fact]
    public void Jobs_should_survive_a_snapshot_and_a_snapshot_from_before_jobs_should_read_as_none()
    {
        var options = SchedulerSerializer.CreateOptions();
        var state = SchedulerState.Empty.Apply(new JobDefined(Hello(), "config", T0.AddSeconds(10), T0)).Apply(Fired(1, T0.AddSeconds(20)));

        var back = JsonSerializer.SerializeToElement(state, options).Deserialize<SchedulerState>(options)!;
        Assert.Equal(state.Jobs["hello"] with { Spec = back.Jobs["hello"].Spec }, back.Jobs["hello"]);
        Assert.True(back.HasSameJob(Hello()));
        Assert.Equal("hello", back.Tasks["hello.1"].JobId);

        var old = JsonSerializer.SerializeToNode(SchedulerState.Empty, options)!.AsObject();
        old.Remove("jobs");
        Assert.Empty(old.Deserialize<SchedulerState>(options)!.Jobs);
    }

    [Fact]
    public void A_failed_run_should_be_retried_after_the_back_off_and_the_retry_should_name_it()
    {
        var job = Hello() with { Retry = new RetrySpec(2, TimeSpan.FromSeconds(10)) };
        var state = SchedulerState.Empty.Apply(new JobDefined(job, "config", null, T0)).Apply(Fired(1, null));
        state = state.Apply(Adopted(state, new TaskAccepted("hello.1", state.Tasks["hello.1"].Spec, T0), new TaskExited("hello.1", 3, T0.AddSeconds(1))));

        var rerun = Assert.Single(state.Jobs["hello"].Reruns);
        Assert.Equal((T0.AddSeconds(11), 2, "hello.1"), (rerun.DueAt, rerun.Attempt, rerun.AfterTaskId));
        Assert.Equal(rerun, state.Jobs["hello"].DueRerun(T0.AddSeconds(11)));
        Assert.Null(state.Jobs["hello"].DueRerun(T0.AddSeconds(10)));

        state = state.Apply(Fired(2, null) with { Attempt = 2, RerunOf = "hello.1", Task = Fired(2, null).Task with { TaskId = "hello.2" } });
        Assert.Empty(state.Jobs["hello"].Reruns);
        Assert.Equal(2, state.Tasks["hello.2"].Attempt);
    }

    [Fact]
    public void A_run_the_master_concluded_lost_should_run_again_only_for_a_restartable_job()
    {
        foreach (var restartable in new[] { true, false })
        {
            var state = SchedulerState.Empty
                .Apply(new AgentJournalAttached("a1", "j1", T0))
                .Apply(new JobDefined(Hello() with { Restartable = restartable }, "config", null, T0))
                .Apply(Fired(1, null));
            state = state.Apply(Adopted(state, new TaskAccepted("hello.1", state.Tasks["hello.1"].Spec, T0), new TaskStarted("hello.1", 7, 1, "b", T0)));

            state = state.Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 5m30s", T0.AddMinutes(6)));

            Assert.Equal(TaskState.Lost, state.Tasks["hello.1"].State);
            Assert.Equal(restartable ? [T0.AddMinutes(6)] : [], state.Jobs["hello"].Reruns.Select(r => r.DueAt));
        }
    }

    private static AgentEventsAdopted Adopted(SchedulerState state, params ITaskEvent[] events)
    {
        var from = state.AdoptedOffset("a1", "j1");
        return new AgentEventsAdopted("a1", "j1", from + events.Length, events.Select((e, i) => new JournaledTaskEvent(from + i + 1, e)).ToList());
    }

    [Fact]
    public void The_configuration_should_define_new_and_changed_jobs_and_remove_only_configured_ones_that_left_it()
    {
        var state = SchedulerState.Empty
            .Apply(new JobDefined(Hello(), "config", null, T0))
            .Apply(new JobDefined(Hello() with { JobId = "changed" }, "config", null, T0))
            .Apply(new JobDefined(Hello() with { JobId = "gone" }, "config", null, T0))
            .Apply(new JobDefined(Hello() with { JobId = "from-api" }, "api", null, T0));
        var now = T0.AddHours(1);

        var changes = state.ConfiguredJobChanges([Hello(), Hello("new command") with { JobId = "changed" }, Hello() with { JobId = "added" }], now);

        Assert.Equal(["changed", "added"], changes.OfType<JobDefined>().Select(d => d.Job.JobId));
        Assert.All(changes.OfType<JobDefined>(), d => Assert.Equal(("config", now.AddSeconds(10)), (d.Source, d.NextFireAt)));
        var removed = Assert.Single(changes.OfType<JobRemoved>());
        Assert.Equal(("gone", "no longer in the configuration"), (removed.JobId, removed.Reason));
        Assert.Equal(3, changes.Count);
    }
}
