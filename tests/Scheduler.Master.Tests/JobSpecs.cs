using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Master.Tests.Support;

namespace Scheduler.Master.Tests;

/// <summary>
/// Jobs from the Master's configuration fire on schedule as tasks <c>JOB.RUN</c>: not while paused (then once for
/// the missed times), never beyond max-concurrent, on the least loaded agent with the job's labels.
/// </summary>
public sealed class JobSpecs : IAsyncDisposable
{
    private InProcessCluster? _cluster;

    private InProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("call StartAsync first");

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task StartAsync(string jobs, string extraMasterHocon = "")
    {
        _cluster = await InProcessCluster.StartWithAsync(jobs + "\n" + extraMasterHocon, throttled: false);
        await Cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.labels = [linux]");
    }

    private async Task<JobView> JobAsync(string id) =>
        (await Cluster.QueryAsync<JobsResult>(GetJobs.Instance)).Jobs.Single(j => j.Spec.JobId == id);

    private async Task<JobView> WaitForRunsAsync(string id, long runs)
    {
        await InProcessCluster.WaitUntilAsync(() => JobAsync(id).Result.Runs >= runs, $"job {id} has {runs} run(s)");
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
}
