using System.Text.Json;
using Scheduler.Cli.Tests.Support;

namespace Scheduler.Cli.Tests;

/// <summary><c>scheduler jobs</c> and <c>scheduler job run</c> against a real master with a <c>scheduler.jobs</c> file; a bad job stops start-up.</summary>
public sealed class JobCommandSpecs : IAsyncLifetime
{
    private readonly MasterAndAgent _nodes = new("jobs");

    public Task InitializeAsync() => _nodes.StartAsync("""
        scheduler.jobs.hello {
          command = ["sh", "-c", "echo hi from run $SCHEDULER_JOB_RUN"]
          agent = jobs
          schedule = "0 0 3 * * *"
          time-zone = "Europe/Berlin"
        }
        """);

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Jobs_should_list_the_configured_job_and_job_run_should_run_it_once_now()
    {
        var job = Assert.Single((await _nodes.JsonAsync("jobs", "--json")).EnumerateArray());
        Assert.Equal("hello", job.GetProperty("spec").GetProperty("jobId").GetString());
        Assert.Equal("cron 0 0 3 * * * (Europe/Berlin)", job.GetProperty("schedule").GetString());
        Assert.NotEqual(JsonValueKind.Null, job.GetProperty("nextFireAt").ValueKind);

        var run = await _nodes.JsonAsync("job", "run", "hello", "--json");
        Assert.Equal("hello.1", run.GetProperty("taskId").GetString());
        await _nodes.WaitForTaskAsync("hello.1", state => state == "Succeeded");
        Assert.Equal("hi from run 1\n", (await _nodes.CliAsync("logs", "hello.1")).Out);

        var (code, table, _) = await _nodes.CliAsync("jobs");
        Assert.Equal(0, code);
        Assert.Matches(@"hello\s+cron 0 0 3 \* \* \* \(Europe/Berlin\)\s+jobs\s+\S+ \S+\s+1\s+0\s+config", table);
        var (unknown, _, error) = await _nodes.CliAsync("job", "run", "nope");
        Assert.Equal((1, "error: no job 'nope' (known: hello)"), (unknown, error.TrimEnd('\n')));
    }

    [Fact]
    public async Task Job_add_history_and_remove_should_work_from_a_file()
    {
        var file = Path.Combine(_nodes.Root, "every-second.conf");
        await File.WriteAllTextAsync(file, """scheduler.jobs.every-second { command = [echo, tick], agent = jobs, interval = 1s }""");

        var added = Assert.Single((await _nodes.JsonAsync("job", "add", file, "--json")).EnumerateArray());
        Assert.Equal("api", added.GetProperty("source").GetString());
        await Eventually.TrueAsync(async () => (await _nodes.JsonAsync("job", "history", "every-second", "--json")).GetArrayLength() >= 2,
            "two runs in the job's history");

        var removed = await _nodes.JsonAsync("job", "remove", "every-second", "--json");
        var runs = removed[0].GetProperty("runs").GetInt64();
        Assert.DoesNotContain((await _nodes.JsonAsync("jobs", "--json")).EnumerateArray(), j => j.GetProperty("spec").GetProperty("jobId").GetString() == "every-second");
        var history = await _nodes.JsonAsync("job", "history", "every-second", "--limit", "1", "--json");
        Assert.Equal($"every-second.{runs}", Assert.Single(history.EnumerateArray()).GetProperty("taskId").GetString());

        var bad = Path.Combine(_nodes.Root, "bad.conf");
        await File.WriteAllTextAsync(bad, """scheduler.jobs.x { command = [echo], agent = jobs, interval = 0s }""");
        var (code, _, error) = await _nodes.CliAsync("job", "add", bad);
        Assert.Equal((2, $"error: {bad}: scheduler.jobs.x.interval = 0s is invalid; expected a duration such as 500ms, 10s or 5m"), (code, error.TrimEnd('\n')));
    }

    [Fact]
    public async Task A_master_with_an_invalid_job_should_not_start_and_name_the_file_and_key()
    {
        var config = Path.Combine(_nodes.Root, "bad-jobs.conf");
        await File.WriteAllTextAsync(config, """scheduler.jobs.hello { command = [echo], agent = a1, schedule = "every minute" }""");

        var (exitCode, _, error) = await SchedulerCommand.RunAsync(null, "master", "--port", "0", "--data", Path.Combine(_nodes.Root, "m2"), "--config", config);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"error: {config}: scheduler.jobs.hello.schedule: 'every minute' is not a cron expression", error);
    }
}
