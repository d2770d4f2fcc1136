using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>
/// The real thing: a <c>scheduler master</c> process and a <c>scheduler agent</c> process, driven only
/// through the <c>scheduler</c> command, as an operator would.
/// </summary>
public sealed class EndToEndSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly MasterAndAgent _nodes = new("e2e");

    public Task InitializeAsync() =>
        _nodes.StartAsync("scheduler.agent.kill-grace = 1s\nscheduler.master.log-copy-interval = 200ms\n");

    public async Task DisposeAsync()
    {
        output.WriteLine(_nodes.Logs);
        await _nodes.DisposeAsync();
    }

    [Fact]
    public async Task Submit_history_logs_and_kill_should_work_through_real_master_and_agent_processes()
    {
        var submitted = await _nodes.JsonAsync("submit", "--agent", "e2e", "--json", "--", "sh", "-c", "echo hello; echo oops >&2; exit 2");
        var taskId = submitted.GetProperty("taskId").GetString()!;

        var final = await _nodes.WaitForTaskAsync(taskId, s => s is "Failed");
        Assert.Equal(2, final.GetProperty("exitCode").GetInt32());
        Assert.Equal("e2e", final.GetProperty("agent").GetString());

        var history = await _nodes.JsonAsync("history", "--json", "--agent", "e2e");
        Assert.Equal(taskId, history[0].GetProperty("taskId").GetString());

        var stdout = await Eventually.ValueAsync(async () => (await _nodes.CliAsync("logs", taskId, "--stream", "stdout")).Out, o => o == "hello\n", "stdout log");
        Assert.Equal("hello\n", stdout);
        var both = (await _nodes.CliAsync("logs", taskId)).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order();
        Assert.Equal(["hello", "oops"], both);

        var longRunning = await _nodes.CliAsync("submit", "--agent", "e2e", "--id", "long-1", "--", "sleep", "300");
        Assert.Equal("long-1\n", longRunning.Out);
        await _nodes.WaitForTaskAsync("long-1", s => s is "Running");
        var kill = await _nodes.CliAsync("kill", "long-1", "--json");
        Assert.Equal(0, kill.ExitCode);
        var killed = await _nodes.WaitForTaskAsync("long-1", s => s is "Killed");
        Assert.Equal("killed on request", killed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Submit_to_an_unknown_agent_should_exit_1_with_one_line()
    {
        var result = await _nodes.CliAsync("submit", "--agent", "nope", "--", "true");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("error: unknown agent 'nope' (known: e2e)", result.Error.Trim());
    }

    [Fact]
    public async Task A_second_agent_process_with_a_taken_name_should_be_refused()
    {
        var (second, _) = await _nodes.StartAgentAsync("e2e", "agent-2");
        await using (second)
        {
            var refused = await second.WaitForLineAsync(new Regex("refused agent e2e", RegexOptions.IgnoreCase));
            Assert.Contains("already connected", refused);
        }
    }
}
