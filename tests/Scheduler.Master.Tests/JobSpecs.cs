using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// Jobs from the Master's configuration fire on schedule as tasks <c>JOB.RUN</c>: not while paused (then once for
/// the missed times), never beyond max-concurrent, on the least loaded agent with the job's labels.
/// </summary>
public sealed class JobSpecs : IAsyncDisposable
{
    private TestCluster? _cluster;

    private TestCluster Cluster => _cluster ?? throw new InvalidOperationException("call StartAsync first");

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task StartAsync(string jobs, string extraMasterHocon = "", bool partitionable = false, string extraAgentHocon = "")
    {
        _cluster = await TestCluster.StartWithAsync(jobs + "\n" + extraMasterHocon, partitionable);
        await Cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.labels = [linux]\n" + extraAgentHocon);
    }

    private async Task<JobView> JobAsync(string id) =>
        (await Cluster.QueryAsync<JobsResult>(GetJobs.Instance)).Jobs.Single(j => j.Spec.JobId == id);

    private async Task<JobView> WaitForRunsAsync(string id, long runs)
    {
        await TestCluster.WaitUntilAsync(() => JobAsync(id).Result.Runs >= runs, $"job {id} has {runs} run(s)");
        return await JobAsync(id);
    }

    [Fact]
    public async Task A_configured_interval_job_should_run_every_interval_as_numbered_tasks()
    {
        await StartAsync("""scheduler.jobs.tick { command = ["sh", "-c", "echo run $SCHEDULER_JOB_RUN of $SCHEDULER_JOB_ID"], agent = a1, interval = 1s }""");

        var job = await WaitForRunsAsync("tick", 2);

        Assert.Equal(("every 1s", "config"), (job.Schedule, job.Source));
        Assert.True(job.NextFireAt > DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(TaskState.Succeeded, (await Cluster.WaitForFinalAsync("tick.1")).State);
        Assert.Equal("run 1 of tick", await Cluster.WaitForCompleteLogAsync("tick.1"));
        Assert.Equal(TaskState.Succeeded, (await Cluster.WaitForFinalAsync("tick.2")).State);
        Assert.Contains(await Cluster.EventsAsync(), e => e.Kind == SchedulerEventKind.JobDefined && e.Message.StartsWith("job tick defined (config): every 1s"));
    }

    [Fact]
    public async Task A_paused_master_should_fire_nothing_and_on_resume_fire_once_for_the_missed_times()
    {
        await StartAsync("""scheduler.jobs.tick { command = ["echo", "hi"], agent = a1, interval = 1s }""", "scheduler.master.start-paused = on");

        // An absence can only be checked by waiting: three fire times pass while paused.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(0, (await JobAsync("tick")).Runs);

        await Cluster.AskAsync<StatusResult>(ResumeMaster.Instance);
        await WaitForRunsAsync("tick", 1);
        var misfire = Assert.Single(await Cluster.EventsAsync(), e => e.Kind == SchedulerEventKind.JobMisfired);
        Assert.Matches(@"^job tick: \d+ missed fire time\(s\) skipped \(misfire = fire-once\)$", misfire.Message);
        Assert.Equal(TaskState.Succeeded, (await Cluster.WaitForFinalAsync("tick.1")).State);
    }

    [Fact]
    public async Task A_job_should_not_start_a_run_while_max_concurrent_runs_are_unfinished()
    {
        await StartAsync("""scheduler.jobs.long { command = ["sleep", "300"], agent = a1, interval = 1s }""");

        await Cluster.WaitForTaskAsync("long.1", t => t.State == TaskState.Running, "the first run running");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two more fire times pass while it runs
        Assert.Equal((1L, 1), ((await JobAsync("long")).Runs, (await JobAsync("long")).Unfinished));
        var refused = await Cluster.AskAsync<RequestFailed>(new RunJob("long"));
        Assert.Equal("job 'long' has 1 unfinished run(s) and max-concurrent = 1; not run", refused.Message);

        await Cluster.AskAsync<TaskResult>(new KillTask("long.1"));
        await Cluster.WaitForTaskAsync("long.2", t => t.State == TaskState.Running, "the next run once the first ended");
    }

    [Fact]
    public async Task A_job_by_labels_should_run_on_the_least_loaded_agent_carrying_them()
    {
        await StartAsync("""
            scheduler.jobs.any-linux { command = ["echo", "hi"], labels = [linux] }
            scheduler.jobs.gpu { command = ["echo", "hi"], labels = [linux, gpu] }
            """);
        await Cluster.StartAgentAsync("a2", extraHocon: "scheduler.agent.labels = [linux, gpu]");
        var busy = await Cluster.SubmitAsync("a1", "sleep", "300");
        await Cluster.WaitForTaskAsync(busy.TaskId, t => t.State == TaskState.Running, "a1 busy");

        Assert.Equal("a2", (await Cluster.AskAsync<TaskResult>(new RunJob("any-linux"))).Task.Agent);
        Assert.Equal("a2", (await Cluster.AskAsync<TaskResult>(new RunJob("gpu"))).Task.Agent);
        Assert.Equal("any-linux.1", (await Cluster.WaitForFinalAsync("any-linux.1")).TaskId);
        Assert.Equal("on demand", (await JobAsync("gpu")).Schedule);
        Assert.Null((await JobAsync("gpu")).NextFireAt);
    }

    [Fact]
    public async Task Running_an_unknown_job_or_one_without_a_connected_agent_should_say_why()
    {
        await StartAsync("""scheduler.jobs.gpu { command = ["echo", "hi"], labels = [gpu] }""");

        Assert.Equal("no job 'nope' (known: gpu)", (await Cluster.AskAsync<RequestFailed>(new RunJob("nope"))).Message);
        var noAgent = await Cluster.AskAsync<RequestFailed>(new RunJob("gpu"));
        Assert.Equal((ErrorCode.AgentUnavailable, "job 'gpu': no connected agent with labels [gpu]"), (noAgent.Code, noAgent.Message));
    }

    [Fact]
    public async Task Jobs_added_through_the_client_should_fire_and_once_removed_fire_no_more_with_their_runs_kept()
    {
        await StartAsync("");
        var job = new JobSpec("api-tick", ["echo", "tick"], null, new Dictionary<string, string>(), "a1", [],
            new JobScheduleSpec(Interval: TimeSpan.FromSeconds(1)));

        var added = Assert.Single((await Cluster.AskAsync<JobsResult>(new AddJobs([job]))).Jobs);
        Assert.Equal(("api", "every 1s"), (added.Source, added.Schedule));
        await WaitForRunsAsync("api-tick", 2);
        // A task submitted by hand under a run's id pattern is not a run of the job.
        await Cluster.AskAsync<TaskResult>(new SubmitTask("a1", TestCluster.Spec("api-tick.999", ["true"])));

        var removed = Assert.Single((await Cluster.AskAsync<JobsResult>(new RemoveJob("api-tick"))).Jobs);
        Assert.DoesNotContain((await Cluster.QueryAsync<JobsResult>(GetJobs.Instance)).Jobs, j => j.Spec.JobId == "api-tick");
        foreach (var run in Enumerable.Range(1, (int)removed.Runs))
        {
            await Cluster.WaitForFinalAsync($"api-tick.{run}");
        }

        var history = await Cluster.QueryAsync<TasksResult>(new GetHistory(null, null, 100, JobId: "api-tick"));
        Assert.Equal(Enumerable.Range(1, (int)removed.Runs).Reverse().Select(r => $"api-tick.{r}"), history.Tasks.Select(t => t.TaskId));
        Assert.Contains(await Cluster.EventsAsync(), e => e.Kind == SchedulerEventKind.JobRemoved && e.Message == "job api-tick removed: removed on request");
    }

    [Theory]
    [InlineData("a9", null, "* * * * *", "job 'j': unknown agent 'a9' (known: a1)")]
    [InlineData(null, "gpu", "* * * * *", "job 'j': no registered agent has the labels [gpu] (agents: a1 [linux])")]
    [InlineData("a1", null, "* *", "job 'j': '* *' is not a cron expression")]
    public async Task Adding_an_invalid_job_should_define_nothing_and_say_why(string? agent, string? label, string cron, string expected)
    {
        await StartAsync("");
        var good = new JobSpec("ok", ["true"], null, new Dictionary<string, string>(), "a1", [], JobScheduleSpec.OnDemand);
        var bad = new JobSpec("j", ["true"], null, new Dictionary<string, string>(), agent, label is null ? [] : [label], new JobScheduleSpec(cron));

        var refused = await Cluster.AskAsync<RequestFailed>(new AddJobs([good, bad]));

        Assert.StartsWith(expected, refused.Message);
        Assert.Empty((await Cluster.QueryAsync<JobsResult>(GetJobs.Instance)).Jobs);
        Assert.Equal("job 'ok' is given twice", (await Cluster.AskAsync<RequestFailed>(new AddJobs([good, good]))).Message);
    }

    [Fact]
    public async Task A_failing_run_should_be_retried_with_a_doubling_back_off_up_to_the_retry_count()
    {
        await StartAsync("""scheduler.jobs.flaky { command = ["sh", "-c", "echo attempt; exit 3"], agent = a1, retry { count = 2, backoff = 1s } }""");

        Assert.Equal("flaky.1", (await Cluster.AskAsync<TaskResult>(new RunJob("flaky"))).Task.TaskId);

        var first = await Cluster.WaitForFinalAsync("flaky.1");
        var second = await Cluster.WaitForFinalAsync("flaky.2");
        var third = await Cluster.WaitForFinalAsync("flaky.3");
        Assert.All(new[] { first, second, third }, t => Assert.Equal((TaskState.Failed, 3), (t.State, t.ExitCode)));
        Assert.True(second.SubmittedAt - first.EndedAt >= TimeSpan.FromSeconds(0.9), $"retry 1 after {second.SubmittedAt - first.EndedAt}");
        Assert.True(third.SubmittedAt - second.EndedAt >= TimeSpan.FromSeconds(1.9), $"retry 2 after {third.SubmittedAt - second.EndedAt}");
        // An absence can only be checked by waiting: a third retry would come 4 s after the last failure.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(3, (await JobAsync("flaky")).Runs);
    }

    [Fact]
    public async Task A_non_concurrent_job_should_start_nothing_while_its_run_is_cut_off_and_restart_it_elsewhere_once_lost()
    {
        // The Master gives an agent up 4 s after its last heartbeat (past the agent's window of 3 s + 1 s grace).
        await StartAsync("""scheduler.jobs.keep-alive { command = ["sleep", "300"], labels = [linux], interval = 1s, restartable = on }""",
            "scheduler.master.lost-after = 4s", partitionable: true, extraAgentHocon: "scheduler.agent.reconnect-window = 3s");
        var first = await Cluster.WaitForTaskAsync("keep-alive.1", t => t.State == TaskState.Running, "the first run running");
        Assert.Equal("a1", first.Agent);
        await Cluster.StartAgentAsync("a2", extraHocon: "scheduler.agent.labels = [linux]");

        await Cluster.PartitionAsync("a1");
        await Cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        Assert.Equal(TaskState.Unknown, (await Cluster.QueryAsync<TaskResult>(new GetTask("keep-alive.1"))).Task.State);
        Assert.Equal(1, (await JobAsync("keep-alive")).Runs); // the cut-off run may still be running: nothing else starts

        await Cluster.WaitForAgentAsync("a1", AgentState.Lost);
        Assert.Equal(TaskState.Lost, (await Cluster.QueryAsync<TaskResult>(new GetTask("keep-alive.1"))).Task.State);
        var restarted = await Cluster.WaitForTaskAsync("keep-alive.2", t => t.State == TaskState.Running, "the lost run restarted");
        Assert.Equal("a2", restarted.Agent);
        // Fire times passed all along the cut (every second); the second run is the restart, after the loss.
        var lost = Assert.Single(await Cluster.EventsAsync("a1"), e => e.Kind == SchedulerEventKind.AgentLost);
        Assert.True(restarted.SubmittedAt >= lost.At, $"run 2 submitted at {restarted.SubmittedAt:O}, before a1 was given up at {lost.At:O}");
        await Cluster.HealAsync("a1");
    }
}
