using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Jobs;
using Scheduler.Core.Scheduling;

namespace Scheduler.Core.Tests.Jobs;

public sealed class JobRerunSpecs
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 4, 10, 0, 0, TimeSpan.Zero);

    private static readonly JobSpec Job = new("j", ["false"], null, new Dictionary<string, string>(), "a1", [], JobScheduleSpec.OnDemand);

    private static TaskEntry Ended(TaskState state, int attempt) =>
        new(1, "a1", new TaskSpec($"j.{attempt}", ["false"], null, new Dictionary<string, string>(), null), state, 1, T0, T0, T0, "why", true, null, true,
            JobId: "j", Attempt: attempt);

    [Fact]
    public void A_failed_run_should_be_retried_with_a_doubling_back_off_up_to_the_count()
    {
        var job = Job with { Retry = new RetrySpec(3, TimeSpan.FromSeconds(10)) };

        Assert.Equal((T0.AddSeconds(10), 2), (JobRerun.After(job, Ended(TaskState.Failed, 1))!.DueAt, JobRerun.After(job, Ended(TaskState.Failed, 1))!.Attempt));
        Assert.Equal(T0.AddSeconds(20), JobRerun.After(job, Ended(TaskState.Failed, 2))!.DueAt);
        Assert.Equal(T0.AddSeconds(40), JobRerun.After(job, Ended(TaskState.Failed, 3))!.DueAt);
        Assert.Null(JobRerun.After(job, Ended(TaskState.Failed, 4)));
        Assert.Equal("retry 1 of 3: j.1 failed", JobRerun.After(job, Ended(TaskState.Failed, 1))!.Reason);
    }

    [Theory]
    [InlineData(TaskState.Succeeded)]
    [InlineData(TaskState.TimedOut)]
    [InlineData(TaskState.Killed)]
    public void Other_ends_should_never_run_again(TaskState state)
    {
        var job = Job with { Retry = new RetrySpec(3, TimeSpan.FromSeconds(10)), Restartable = true };

        Assert.Null(JobRerun.After(job, Ended(state, 1)));
    }

    [Fact]
    public void A_lost_run_should_run_again_at_once_only_when_restartable_and_once_without_retries()
    {
        Assert.Null(JobRerun.After(Job, Ended(TaskState.Lost, 1)));
        Assert.Null(JobRerun.After(Job with { Retry = new RetrySpec(3, TimeSpan.FromSeconds(1)) }, Ended(TaskState.Lost, 1)));

        var restartable = Job with { Restartable = true };
        Assert.Equal((T0, 2), (JobRerun.After(restartable, Ended(TaskState.Lost, 1))!.DueAt, JobRerun.After(restartable, Ended(TaskState.Lost, 1))!.Attempt));
        Assert.Null(JobRerun.After(restartable, Ended(TaskState.Lost, 2)));
        Assert.Equal("restart: j.1 was lost (why)", JobRerun.After(restartable, Ended(TaskState.Lost, 1))!.Reason);
    }
}
