using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;

namespace Scheduler.Cli.Tests;

/// <summary>
/// The real thing: a <c>scheduler master</c> process and a <c>scheduler agent</c> process, driven only
/// through the <c>scheduler</c> command, as an operator would.
/// </summary>
public sealed partial class EndToEndSpecs : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "scheduler-e2e", Guid.NewGuid().ToString("N")[..10]);
    private Process _master = null!;
    private Process _agent = null!;
    private string _masterAddress = "";

    [GeneratedRegex(@"master at (127\.0\.0\.1:\d+) running")]
    private static partial Regex MasterStarted();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "fast.conf");
        await File.WriteAllTextAsync(config, "scheduler.agent.kill-grace = 1s\nscheduler.master.log-copy-interval = 200ms\n");
        (_master, var line) = await StartNodeAsync(MasterStarted(), "master", "--port", "0", "--data", Path.Combine(_root, "master"), "--config", config);
        _masterAddress = MasterStarted().Match(line).Groups[1].Value;
        (_agent, _) = await StartNodeAsync(new Regex("agent at .* running"),
            "agent", "--name", "e2e", "--master", _masterAddress, "--data", Path.Combine(_root, "agent"), "--config", config);
        await EventuallyAsync(async () =>
        {
            var agents = JsonDocument.Parse((await CliAsync("agents", "--json")).Out).RootElement;
            return agents.EnumerateArray().Any(a => a.GetProperty("name").GetString() == "e2e" && a.GetProperty("state").GetString() == "Connected");
        }, "agent e2e connected");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { _agent, _master })
        {
            if (node is { HasExited: false })
            {
                node.Kill(entireProcessTree: true);
                await node.WaitForExitAsync();
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS to clean
        }
    }

    [Fact]
    public async Task Submit_history_logs_and_kill_should_work_through_real_master_and_agent_processes()
    {
        var submitted = await CliAsync("submit", "--agent", "e2e", "--json", "--", "sh", "-c", "echo hello; echo oops >&2; exit 2");
        var taskId = JsonDocument.Parse(submitted.Out).RootElement.GetProperty("taskId").GetString()!;

        var final = await WaitForStateAsync(taskId, s => s is "Failed");
        Assert.Equal(2, final.GetProperty("exitCode").GetInt32());
        Assert.Equal("e2e", final.GetProperty("agent").GetString());

        var history = JsonDocument.Parse((await CliAsync("history", "--json", "--agent", "e2e")).Out).RootElement;
        Assert.Equal(taskId, history[0].GetProperty("taskId").GetString());

        var stdout = await EventuallyValueAsync(async () => (await CliAsync("logs", taskId, "--stream", "stdout")).Out, o => o == "hello\n", "stdout log");
        Assert.Equal("hello\n", stdout);
        var both = (await CliAsync("logs", taskId)).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order();
        Assert.Equal(["hello", "oops"], both);

        var longRunning = await CliAsync("submit", "--agent", "e2e", "--id", "long-1", "--", "sleep", "300");
        Assert.Equal("long-1\n", longRunning.Out);
        await WaitForStateAsync("long-1", s => s is "Running");
        var kill = await CliAsync("kill", "long-1", "--json");
        Assert.Equal(0, kill.ExitCode);
        var killed = await WaitForStateAsync("long-1", s => s is "Killed");
        Assert.Equal("killed on request", killed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Submit_to_an_unknown_agent_should_exit_1_with_one_line()
    {
        var result = await CliAsync("submit", "--agent", "nope", "--", "true");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("error: unknown agent 'nope' (known: e2e)", result.Error.Trim());
    }

    [Fact]
    public async Task A_second_agent_process_with_a_taken_name_should_be_refused()
    {
        var (second, _) = await StartNodeAsync(new Regex("agent at .* running"), drain: false,
            "agent", "--name", "e2e", "--master", _masterAddress, "--data", Path.Combine(_root, "agent-2"));
        try
        {
            var refused = await ReadUntilAsync(second, new Regex("refused agent e2e", RegexOptions.IgnoreCase));
            Assert.Contains("already connected", refused);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    private async Task<JsonElement> WaitForStateAsync(string taskId, Func<string, bool> state) =>
        await EventuallyValueAsync(
            async () => JsonDocument.Parse((await CliAsync("task", taskId, "--json")).Out).RootElement,
            t => state(t.GetProperty("state").GetString()!),
            $"task {taskId} state");

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        await EventuallyValueAsync(condition, ok => ok, what);

    private static async Task<T> EventuallyValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        T last = default!;
        while (DateTime.UtcNow < deadline)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{what} not reached in 60 s; last: {last}");
    }

    private Task<(int ExitCode, string Out, string Error)> CliAsync(params string[] args) =>
        SchedulerCommand.RunAsync(new Dictionary<string, string> { ["SCHEDULER_MASTER"] = _masterAddress }, args);

    private static Task<(Process Process, string Line)> StartNodeAsync(Regex started, params string[] args) =>
        StartNodeAsync(started, drain: true, args);

    /// <summary>Starts a node and waits for its start line; with <paramref name="drain"/> its stderr is then read away so it never blocks.</summary>
    private static async Task<(Process Process, string Line)> StartNodeAsync(Regex started, bool drain, params string[] args)
    {
        var process = Process.Start(SchedulerCommand.StartInfo(args))!;
        var line = await ReadUntilAsync(process, started);
        _ = process.StandardOutput.ReadToEndAsync();
        if (drain)
        {
            _ = DrainAsync(process);
        }

        return (process, line);
    }

    private static async Task<string> ReadUntilAsync(Process process, Regex pattern)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (pattern.IsMatch(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the node exited (code {process.ExitCode}) before printing /{pattern}/");
    }

    private static async Task DrainAsync(Process process)
    {
        while (await process.StandardError.ReadLineAsync() is not null)
        {
        }
    }
}
