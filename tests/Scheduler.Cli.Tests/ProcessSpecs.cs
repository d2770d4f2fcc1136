using System.Diagnostics;
using Scheduler.Cli.Tests.Support;
using Xunit;

namespace Scheduler.Cli.Tests;

/// <summary>The built <c>scheduler</c> command as a real process.</summary>
public sealed class ProcessSpecs
{
    private static Task<(int ExitCode, string Out, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        SchedulerCommand.RunAsync(environment, args);

    [Fact]
    public void The_command_should_ship_with_thread_pool_spinning_off()
    {
        // An idle master's CPU halves without it (docs/decisions.md, "Benchmarks and idle cost").
        using var runtimeConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scheduler.runtimeconfig.json")));

        var spinLimit = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties")
            .GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");

        Assert.Equal(0, spinLimit.GetInt32());
    }

    [Fact]
    public async Task Help_should_list_the_commands_and_exit_0()
    {
        var (exitCode, output, error) = await RunAsync(null, "--help");

        Assert.Equal((0, ""), (exitCode, error));
        foreach (var command in new[] { "master", "agent", "standalone", "submit", "task", "tasks", "history", "logs", "agents", "kill" })
        {
            Assert.Matches($@"(?m)^\s+{command}\b", output);
        }
    }

    [Fact]
    public async Task A_usage_error_should_exit_2_with_one_line_on_stderr()
    {
        var (exitCode, output, error) = await RunAsync(null, "submit", "--", "echo", "hello");

        Assert.Equal((2, ""), (exitCode, output));
        Assert.Equal("error: Option '--agent' is required. (see 'scheduler submit --help')", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task An_unknown_command_should_be_named_in_the_error()
    {
        var (exitCode, output, error) = await RunAsync(null, "frobnicate");

        Assert.Equal((2, ""), (exitCode, output));
        Assert.Equal("error: Unrecognized command or argument 'frobnicate'. (see 'scheduler --help')", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Verbose_should_log_to_stderr_only()
    {
        var port = FakeMaster.ClosedPort();

        var (exitCode, output, error) = await RunAsync(
            new Dictionary<string, string> { ["SCHEDULER_REQUEST_TIMEOUT"] = "1s" },
            "agents", "--json", "--verbose", "--master", $"127.0.0.1:{port}");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Contains("Remoting started", error);
        Assert.EndsWith($"error: master not reachable at 127.0.0.1:{port} within 1s", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_missing_config_file_should_exit_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "master.conf");

        var (exitCode, output, error) = await RunAsync(null, "master", "--config", missing);

        Assert.Equal((2, ""), (exitCode, output));
        Assert.Equal($"error: config file '{missing}' not found", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task An_unreachable_master_should_exit_1_with_one_line_and_no_output()
    {
        var port = FakeMaster.ClosedPort();
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, output, error) = await RunAsync(
            new Dictionary<string, string> { ["SCHEDULER_REQUEST_TIMEOUT"] = "2s" },
            "tasks", "--master", $"127.0.0.1:{port}");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Equal($"error: master not reachable at 127.0.0.1:{port} within 2s", error.TrimEnd('\n'));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }
}
