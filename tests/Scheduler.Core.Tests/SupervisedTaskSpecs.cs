using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

public sealed class SupervisedTaskSpecs
{
    private static SupervisedTask Accepted() => SupervisedTask.Empty("t-1").Apply(new TaskAccepted("t-1", Spec(), T0));

    private static SupervisedTask Started() => Accepted().Apply(new TaskStarted("t-1", 4242, 777, "boot-1", T0.AddSeconds(1)));

    [Fact]
    public void Empty_should_be_new_and_pending_without_process()
    {
        var task = SupervisedTask.Empty("t-1");

        Assert.True(task.IsNew);
        Assert.Equal(TaskState.Pending, task.State);
        Assert.False(task.MayHaveProcess);
        Assert.False(task.IsFinal);
    }

    [Fact]
    public void Apply_TaskAccepted_should_be_pending_with_spec()
    {
        var task = Accepted();

        Assert.False(task.IsNew);
        Assert.Equal(TaskState.Pending, task.State);
        Assert.Equal("t-1", task.Spec!.TaskId);
        Assert.True(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskStarted_should_be_running_with_process_handle()
    {
        var task = Started();

        Assert.Equal(TaskState.Running, task.State);
        Assert.Equal(new ProcessHandle(4242, 777, "boot-1"), task.Process);
        Assert.Equal(T0.AddSeconds(1), task.StartedAt);
        Assert.True(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskExited_0_should_succeed()
    {
        var task = Started().Apply(new TaskExited("t-1", 0, T0.AddSeconds(2)));

        Assert.Equal(TaskState.Succeeded, task.State);
        Assert.Equal(0, task.ExitCode);
        Assert.Null(task.Reason);
        Assert.Equal(T0.AddSeconds(2), task.EndedAt);
        Assert.False(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskExited_3_should_fail()
    {
        var task = Started().Apply(new TaskExited("t-1", 3, T0.AddSeconds(2)));

        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(3, task.ExitCode);
        Assert.False(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskTimedOut_should_be_timed_out_with_reason()
    {
        var task = Started().Apply(new TaskTimedOut("t-1", TimeSpan.FromSeconds(30), 143, T0.AddSeconds(31)));

        Assert.Equal(TaskState.TimedOut, task.State);
        Assert.Equal(143, task.ExitCode);
        Assert.Equal("timed out after 00:00:30", task.Reason);
        Assert.Equal(T0.AddSeconds(31), task.EndedAt);
    }

    [Fact]
    public void Apply_TaskKilled_should_be_killed_with_reason()
    {
        var task = Started().Apply(new TaskKilled("t-1", "killed by user", null, T0.AddSeconds(3)));

        Assert.Equal(TaskState.Killed, task.State);
        Assert.Null(task.ExitCode);
        Assert.Equal("killed by user", task.Reason);
        Assert.False(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskFailedToStart_should_fail_with_error_as_reason()
    {
        var task = Accepted().Apply(new TaskFailedToStart("t-1", "No such file or directory", T0.AddSeconds(1)));

        Assert.Equal(TaskState.Failed, task.State);
        Assert.Null(task.ExitCode);
        Assert.Equal("No such file or directory", task.Reason);
        Assert.Null(task.Process);
        Assert.False(task.MayHaveProcess);
    }

    [Fact]
    public void Apply_TaskLost_should_be_lost_with_reason()
    {
        var task = Started().Apply(new TaskLost("t-1", "agent restarted", T0.AddSeconds(4)));

        Assert.Equal(TaskState.Lost, task.State);
        Assert.Equal("agent restarted", task.Reason);
        Assert.Equal(T0.AddSeconds(4), task.EndedAt);
        Assert.False(task.MayHaveProcess);
    }

    [Fact]
    public void Decide_should_accept_a_new_task()
    {
        Assert.Equal(StartDecision.Accept, SupervisedTask.Empty("t-1").Decide(Spec()));
    }

    [Fact]
    public void Decide_should_be_already_known_for_an_equal_spec_in_other_instances()
    {
        var copy = new TaskSpec(
            "t-1",
            new List<string> { "sh", "-c", "echo hi" },
            "/work",
            new Dictionary<string, string> { ["A"] = "1" },
            TimeSpan.FromSeconds(30));

        Assert.Equal(StartDecision.AlreadyKnown, Accepted().Decide(copy));
        Assert.Equal(StartDecision.AlreadyKnown, Started().Apply(new TaskExited("t-1", 0, T0)).Decide(copy));
    }

    [Fact]
    public void Decide_should_conflict_for_another_command()
    {
        var other = Spec("t-1", "rm", "-rf", "/tmp/x");
        var task = Accepted();

        Assert.Equal(StartDecision.Conflict, task.Decide(other));
        Assert.Equal("task id 't-1' is already used for command [sh -c echo hi]; refusing [rm -rf /tmp/x]", task.ConflictReason(other));
    }

    public static TheoryData<string> Variations() => ["command", "cwd", "timeout", "env-value", "env-extra", "env-missing", "id"];

    [Theory]
    [MemberData(nameof(Variations))]
    public void SameCommandAs_should_compare_every_field_by_value(string what)
    {
        var spec = Spec();
        var other = what switch
        {
            "command" => spec with { Command = ["sh", "-c", "echo ho"] },
            "cwd" => spec with { WorkingDirectory = null },
            "timeout" => spec with { Timeout = null },
            "env-value" => spec with { Environment = new Dictionary<string, string> { ["A"] = "2" } },
            "env-extra" => spec with { Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "1" } },
            "env-missing" => spec with { Environment = new Dictionary<string, string>() },
            _ => spec with { TaskId = "t-2" },
        };

        Assert.False(spec.SameCommandAs(other));
        Assert.False(other.SameCommandAs(spec));
        Assert.True(spec.SameCommandAs(Spec()));
        Assert.Equal(StartDecision.Conflict, Accepted().Decide(other));
    }
}
