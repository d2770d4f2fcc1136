using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>A master and an agent in one process (two ActorSystems on port 0): tasks from submit to history.</summary>
public sealed class TaskLifecycleSpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync("a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Task_that_exits_0_should_end_Succeeded_with_its_log_on_the_master()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "echo out-1; echo err-1 >&2; echo out-2");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);

        Assert.Equal(TaskState.Succeeded, final.State);
        Assert.Equal(0, final.ExitCode);
        Assert.NotNull(final.StartedAt);
        Assert.NotNull(final.EndedAt);
        // Each stream keeps its order; how two pipes interleave is up to the OS.
        Assert.Equal("out-1\nout-2", await _cluster.WaitForCompleteLogAsync(task.TaskId, OutputStream.Stdout));
        Assert.Equal("err-1", await _cluster.WaitForCompleteLogAsync(task.TaskId, OutputStream.Stderr));
        Assert.Equal(3, (await _cluster.WaitForCompleteLogAsync(task.TaskId)).Split('\n').Length);
    }

    [Fact]
    public async Task Log_larger_than_one_chunk_should_reach_the_master_whole_and_in_order()
    {
        // 4,000 lines of 100 bytes: about 400 KB, several 96 KB chunks copied one after another.
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "i=0; while [ $i -lt 4000 ]; do printf '%04d%096d\\n' $i 0; i=$((i+1)); done");

        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        var lines = (await _cluster.WaitForCompleteLogAsync(task.TaskId)).Split('\n');
        Assert.Equal(Enumerable.Range(0, 4000).Select(i => $"{i:0000}{new string('0', 96)}"), lines);
    }

    [Fact]
    public async Task Submit_to_an_agent_that_stopped_should_fail_with_AgentUnavailable()
    {
        await _cluster.StopAgentGracefullyAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Lost);

        var failed = await _cluster.AskAsync<RequestFailed>(new SubmitTask("a1", TestCluster.Spec("late-1", ["true"])));

        Assert.Equal(ErrorCode.AgentUnavailable, failed.Code);
        Assert.Equal("agent 'a1' has stopped; the task was not accepted", failed.Message);
    }

    [Fact]
    public async Task Task_that_exits_non_zero_should_end_Failed_with_its_exit_code()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "exit 3");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);

        Assert.Equal(TaskState.Failed, final.State);
        Assert.Equal(3, final.ExitCode);
    }

    [Fact]
    public async Task Task_past_its_timeout_should_end_TimedOut()
    {
        var spec = TestCluster.Spec("slow-1", ["sleep", "30"], timeout: TimeSpan.FromMilliseconds(500));
        await _cluster.AskAsync<TaskResult>(new SubmitTask("a1", spec));

        var final = await _cluster.WaitForFinalAsync("slow-1");

        Assert.Equal(TaskState.TimedOut, final.State);
        Assert.Equal("timed out after 00:00:00.5000000", final.Reason);
        Assert.Equal(128 + 15, final.ExitCode);
    }

    [Fact]
    public async Task Kill_of_a_task_that_ignores_SIGTERM_should_end_Killed_by_SIGKILL_after_the_grace()
    {
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done");
        await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Running, "running");

        var answer = await _cluster.AskAsync<TaskResult>(new KillTask(task.TaskId));
        var final = await _cluster.WaitForFinalAsync(task.TaskId);

        Assert.Equal(TaskState.Running, answer.Task.State);
        Assert.Equal(TaskState.Killed, final.State);
        Assert.Equal("killed on request", final.Reason);
        Assert.Equal(128 + 9, final.ExitCode);
        Assert.Empty(_cluster.Processes.All);
    }

    [Fact]
    public async Task Unknown_executable_should_end_Failed_with_the_OS_error()
    {
        var task = await _cluster.SubmitAsync("a1", "/no/such/program", "x");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);

        Assert.Equal(TaskState.Failed, final.State);
        Assert.Null(final.ExitCode);
        Assert.Contains("/no/such/program", final.Reason);
        Assert.Contains("No such file or directory", final.Reason);
    }

    [Fact]
    public async Task Resubmit_of_the_same_task_should_answer_the_task_and_another_command_should_be_refused()
    {
        var spec = TestCluster.Spec("dup-1", ["true"]);
        var first = await _cluster.AskAsync<TaskResult>(new SubmitTask("a1", spec));
        var again = await _cluster.AskAsync<TaskResult>(new SubmitTask("a1", spec));
        var other = await _cluster.AskAsync<RequestFailed>(new SubmitTask("a1", TestCluster.Spec("dup-1", ["false"])));

        Assert.Equal(first.Task.SubmittedAt, again.Task.SubmittedAt);
        Assert.Equal(ErrorCode.DuplicateTaskId, other.Code);
        Assert.Contains("dup-1", other.Message);
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync("dup-1")).State);
    }

    [Fact]
    public async Task Submits_in_flight_together_should_each_be_answered_and_one_id_stored_once()
    {
        // Submits checked while others are being stored share one write; the same id twice in one write must not be
        // stored twice (whichever command comes first wins, the other is refused).
        var burst = Enumerable.Range(0, 8).Select(i => TestCluster.Spec($"burst-{i}", ["true"])).ToList();
        var same = Enumerable.Range(0, 4).Select(_ => TestCluster.Spec("dup-2", ["true"]))
            .Append(TestCluster.Spec("dup-2", ["false"])).ToList();

        var answers = await Task.WhenAll(burst.Concat(same).Select(s => _cluster.AskAsync(new SubmitTask("a1", s))));

        Assert.All(answers.Take(burst.Count), a => Assert.IsType<TaskResult>(a));
        var stored = await _cluster.QueryAsync<TaskResult>(new GetTask("dup-2"));
        var dup = answers.Skip(burst.Count).Zip(same, (Answer, Spec) => (Answer, Spec)).ToList();
        Assert.All(dup.Where(d => d.Spec.Command.SequenceEqual(stored.Task.Command)),
            d => Assert.Equal(stored.Task.SubmittedAt, Assert.IsType<TaskResult>(d.Answer).Task.SubmittedAt));
        Assert.All(dup.Where(d => !d.Spec.Command.SequenceEqual(stored.Task.Command)),
            d => Assert.Equal(ErrorCode.DuplicateTaskId, Assert.IsType<RequestFailed>(d.Answer).Code));
        foreach (var s in burst)
        {
            Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(s.TaskId)).State);
        }
    }

    [Fact]
    public async Task Submit_to_an_unknown_agent_should_fail_with_UnknownAgent()
    {
        var failed = await _cluster.AskAsync<RequestFailed>(new SubmitTask("nobody", TestCluster.Spec("x-1", ["true"])));

        Assert.Equal(ErrorCode.UnknownAgent, failed.Code);
        Assert.Equal("unknown agent 'nobody' (known: a1)", failed.Message);
    }

    [Fact]
    public async Task History_should_list_tasks_newest_first_and_filter_by_task()
    {
        var first = await _cluster.SubmitAsync("a1", "true");
        var second = await _cluster.SubmitAsync("a1", "true");
        await _cluster.WaitForFinalAsync(second.TaskId);

        var all = await _cluster.AskAsync<TasksResult>(new GetHistory(null, null, 10));
        var one = await _cluster.AskAsync<TasksResult>(new GetHistory("a1", first.TaskId, 10));

        Assert.Equal([second.TaskId, first.TaskId], all.Tasks.Select(t => t.TaskId));
        Assert.Equal([first.TaskId], one.Tasks.Select(t => t.TaskId));
    }
}
