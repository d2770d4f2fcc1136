using Scheduler.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary><c>scheduler master --paused</c>, <c>status</c>, <c>resume</c> and <c>pause</c> on real processes.</summary>
public sealed class PausedStartSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly MasterAndAgent _nodes = new("p1");

    public Task InitializeAsync() => _nodes.StartAsync("scheduler.master.outbox-resend-interval = 300ms\n", "--paused");

    public async Task DisposeAsync()
    {
        output.WriteLine(_nodes.Logs);
        await _nodes.DisposeAsync();
    }

    [Fact]
    public async Task A_master_started_paused_should_keep_a_submitted_task_pending_until_resume()
    {
        Assert.True((await _nodes.JsonAsync("status", "--json")).GetProperty("paused").GetBoolean());
        var taskId = (await _nodes.JsonAsync("submit", "--agent", "p1", "--json", "--", "sh", "-c", "echo resumed")).GetProperty("taskId").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several outbox rounds of 300 ms: an absence can only be seen by waiting
        Assert.Equal("Pending", (await _nodes.JsonAsync("task", taskId, "--json")).GetProperty("state").GetString());

        var (resumeExit, resumed, _) = await _nodes.CliAsync("resume");
        Assert.Equal(0, resumeExit);
        Assert.Contains("state:            running", resumed);
        await _nodes.WaitForTaskAsync(taskId, s => s == "Succeeded");

        var (pauseExit, paused, _) = await _nodes.CliAsync("pause");
        Assert.Equal(0, pauseExit);
        Assert.Contains("PAUSED", paused);
    }
}
