using System.Text.Json;
using System.Text.RegularExpressions;

namespace Scheduler.Cli.Tests.Support;

/// <summary>
/// A real <c>scheduler master</c> process and one <c>scheduler agent</c> process on port 0, in a temp folder of their own,
/// driven only through the <c>scheduler</c> command, as an operator would.
/// </summary>
public sealed partial class MasterAndAgent(string agentName) : IAsyncDisposable
{
    public string AgentName { get; } = agentName;

    /// <summary>This pair's folder: the config file, both data folders and whatever a test puts there.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "scheduler-e2e", Guid.NewGuid().ToString("N")[..10]);

    public NodeProcess Master { get; private set; } = null!;

    public NodeProcess Agent { get; private set; } = null!;

    public string MasterAddress { get; private set; } = "";

    /// <summary>Both nodes' stderr, for a failed test's output.</summary>
    public string Logs => $"--- master stderr ---\n{Master?.Log}\n--- agent stderr ---\n{Agent?.Log}";

    [GeneratedRegex(@"master at (127\.0\.0\.1:\d+) running")]
    private static partial Regex MasterStarted();

    [GeneratedRegex("agent at .* running")]
    private static partial Regex AgentStarted();

    /// <summary>
    /// Starts both nodes with <paramref name="config"/> as their <c>--config</c> file (the master also with
    /// <paramref name="masterOptions"/>) and waits until the agent is Connected.
    /// </summary>
    public async Task StartAsync(string config, params string[] masterOptions)
    {
        Directory.CreateDirectory(Root);
        var configFile = Path.Combine(Root, "test.conf");
        await File.WriteAllTextAsync(configFile, config);
        try
        {
            (Master, var line) = await NodeProcess.StartAsync("master", MasterStarted(),
                ["master", "--port", "0", "--data", Path.Combine(Root, "master"), "--config", configFile, .. masterOptions]);
            MasterAddress = MasterStarted().Match(line).Groups[1].Value;
            (Agent, _) = await StartAgentAsync(AgentName, "agent", "--config", configFile);
            await WaitForAgentAsync("Connected");
        }
        catch (Exception e)
        {
            // xunit does not dispose a test class whose InitializeAsync failed: stop the nodes here, and keep their logs.
            var logs = Logs;
            await DisposeAsync();
            throw new InvalidOperationException($"master and agent did not start: {e.Message}\n{logs}", e);
        }
    }

    /// <summary>Starts an agent process named <paramref name="name"/> with data folder <paramref name="data"/> under <see cref="Root"/>.</summary>
    public Task<(NodeProcess Node, string Line)> StartAgentAsync(string name, string data, params string[] options) =>
        NodeProcess.StartAsync($"agent {name}", AgentStarted(),
            ["agent", "--name", name, "--master", MasterAddress, "--data", Path.Combine(Root, data), .. options]);

    /// <summary>
    /// Runs the CLI against this master. The master is up here, so a request may wait longer than the default 5 s
    /// for it: on a loaded machine a new CLI process once needed more than that to associate.
    /// </summary>
    public Task<(int ExitCode, string Out, string Error)> CliAsync(params string[] args) =>
        SchedulerCommand.RunAsync(new Dictionary<string, string> { ["SCHEDULER_MASTER"] = MasterAddress, ["SCHEDULER_REQUEST_TIMEOUT"] = "20s" }, args);

    /// <summary>Runs a command that prints JSON (the arguments include <c>--json</c>) and parses what it printed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (exitCode, output, error) = await CliAsync(args);
        return exitCode == 0
            ? JsonDocument.Parse(output).RootElement
            : throw new InvalidOperationException($"scheduler {string.Join(' ', args)} exited {exitCode}: {error.Trim()}");
    }

    /// <summary>Polls <c>scheduler task ID --json</c> until the task's state satisfies <paramref name="state"/>.</summary>
    public Task<JsonElement> WaitForTaskAsync(string taskId, Func<string, bool> state, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(
            () => JsonAsync("task", taskId, "--json"),
            t => state(t.GetProperty("state").GetString()!),
            $"task {taskId} state",
            timeout);

    /// <summary>Polls <c>scheduler agents --json</c> until this pair's agent shows <paramref name="state"/>.</summary>
    public Task WaitForAgentAsync(string state, TimeSpan? timeout = null) => WaitForAgentAsync(state, AgentName, timeout);

    /// <summary>Polls <c>scheduler agents --json</c> until agent <paramref name="name"/> shows <paramref name="state"/>.</summary>
    public Task WaitForAgentAsync(string state, string name, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(
            async () => (await JsonAsync("agents", "--json")).EnumerateArray()
                .Any(a => a.GetProperty("name").GetString() == name && a.GetProperty("state").GetString() == state),
            $"agent {name} {state}",
            timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { Agent, Master })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        NodeProcess.DeleteFolder(Root);
    }
}
