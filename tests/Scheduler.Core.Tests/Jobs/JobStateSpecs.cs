using System.Text.Json;
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
        Assert.Empty(state.DueJobs(T0.AddSeconds(19)));
        Assert.Single(state.DueJobs(T0.AddSeconds(20)));
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
}
