using System.Globalization;
using System.Text.Json;
using Scheduler.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>
/// The Master process frozen with SIGSTOP while an agent process runs a task: shorter than the agent's reconnect window
/// the task runs on and its end is adopted after SIGCONT; longer than the window (and the Master's lost-after) the
/// agent kills the task itself, and the Master adopts that kill when it runs again.
/// </summary>
public sealed class MasterFreezeSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Agent = "freezer";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan ShortFreeze = Window / 3;
    private static readonly TimeSpan LongFreeze = LostAfter + TimeSpan.FromSeconds(3);
    private static readonly TimeSpan AfterThaw = TimeSpan.FromSeconds(30);

    private readonly MasterAndAgent _nodes = new(Agent);

    public Task InitializeAsync() => _nodes.StartAsync($$"""
        scheduler {
          heartbeat-interval = 200ms
          unreachable-after = 1500ms
          agent { reconnect-window = {{Seconds(Window)}}, kill-grace = 1s }
          master { lost-after = {{Seconds(LostAfter)}}, log-copy-interval = 200ms }
        }
        """);

    public async Task DisposeAsync()
    {
        output.WriteLine(_nodes.Logs);
        await _nodes.DisposeAsync();
    }

    [Fact]
    public async Task A_task_that_ends_while_the_master_is_frozen_shorter_than_the_window_should_end_Succeeded_once_with_its_whole_log()
    {
        var go = Path.Combine(_nodes.Root, "go");
        var pidFile = Path.Combine(_nodes.Root, "task.pid");
        var taskId = await SubmitAsync("short-freeze",
            """echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; echo before; while [ ! -e "$2" ]; do sleep 0.05; done; echo after""", pidFile, go);
        var pid = await RunningTaskPidAsync(taskId, pidFile);

        using (var freeze = await _nodes.Master.FreezeAsync())
        {
            Log($"master frozen; task pid {pid}");
            await File.WriteAllTextAsync(go, "");
            await Eventually.TrueAsync(() => Task.FromResult(ProcFs.LiveMembersOfGroup(pid).Count == 0), $"task process group {pid} ended", ShortFreeze);
            Log($"task ended {freeze.Elapsed.TotalSeconds:0.00} s into the freeze");
            await freeze.ThawAfterAsync(ShortFreeze);
            Log("master continued");
        }

        var final = await _nodes.WaitForTaskAsync(taskId, s => s is "Succeeded" or "Failed" or "Killed" or "Lost", AfterThaw);
        Log("task final on the master");
        Assert.Equal("Succeeded", final.GetProperty("state").GetString());
        Assert.Equal(0, final.GetProperty("exitCode").GetInt32());
        var log = await Eventually.ValueAsync(async () => (await _nodes.CliAsync("logs", taskId)).Out, o => o == "before\nafter\n", "the whole log", AfterThaw);
        Assert.Equal("before\nafter\n", log);
        var history = await HistoryOfAsync(taskId);
        Assert.Equal(("Succeeded", 0), (history.GetProperty("state").GetString(), history.GetProperty("exitCode").GetInt32()));
        var events = await _nodes.JsonAsync("events", "--agent", Agent, "--json");
        Assert.DoesNotContain(events.EnumerateArray(), e => e.GetProperty("kind").GetString() is "TasksKilledByWindow" or "AgentLost");
        await _nodes.WaitForAgentAsync("Connected", AfterThaw);
    }

    [Fact]
    public async Task A_master_frozen_longer_than_the_window_should_find_the_task_Killed_by_the_agent_and_the_agent_Connected_again()
    {
        var pidFile = Path.Combine(_nodes.Root, "task.pid");
        var taskId = await SubmitAsync("long-freeze", """echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; echo started; sleep 300""", pidFile);
        var pid = await RunningTaskPidAsync(taskId, pidFile);

        using (var freeze = await _nodes.Master.FreezeAsync())
        {
            Log($"master frozen; task pid {pid}");
            Assert.NotEmpty(ProcFs.LiveMembersOfGroup(pid));
            await Eventually.TrueAsync(() => Task.FromResult(ProcFs.LiveMembersOfGroup(pid).Count == 0), $"task process group {pid} ended",
                LongFreeze - freeze.Elapsed);
            Log($"task process group gone {freeze.Elapsed.TotalSeconds:0.00} s into the freeze, master still stopped");
            Assert.Equal('T', ProcFs.State(_nodes.Master.Id));
            await freeze.ThawAfterAsync(LongFreeze);
            Log("master continued");
        }

        var final = await _nodes.WaitForTaskAsync(taskId, s => s is "Killed", AfterThaw);
        Log("task Killed on the master");
        var reason = final.GetProperty("reason").GetString()!;
        Assert.StartsWith("master unreachable for ", reason);
        var history = await HistoryOfAsync(taskId);
        Assert.Equal(("Killed", reason), (history.GetProperty("state").GetString(), history.GetProperty("reason").GetString()));
        var events = await _nodes.JsonAsync("events", "--agent", Agent, "--json");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "TasksKilledByWindow"
            && e.GetProperty("taskIds").EnumerateArray().Any(id => id.GetString() == taskId));
        await _nodes.WaitForAgentAsync("Connected", AfterThaw);
        Log("agent Connected");
    }

    private async Task<string> SubmitAsync(string taskId, string script, params string[] args)
    {
        var submitted = await _nodes.JsonAsync(["submit", "--agent", Agent, "--id", taskId, "--json", "--", "sh", "-c", script, taskId, .. args]);
        Log($"submitted {taskId}");
        return submitted.GetProperty("taskId").GetString()!;
    }

    /// <summary>Waits until the Master shows the task Running and the task wrote its pid (its process group: the agent runs it through setsid).</summary>
    private async Task<int> RunningTaskPidAsync(string taskId, string pidFile)
    {
        await _nodes.WaitForTaskAsync(taskId, s => s is "Running");
        return await Eventually.ValueAsync(
            async () => File.Exists(pidFile) ? int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture) : 0,
            pid => pid > 0,
            $"pid file of {taskId}");
    }

    /// <summary>The task's one entry in the agent's history (<c>scheduler history</c> lists each task once).</summary>
    private async Task<JsonElement> HistoryOfAsync(string taskId) =>
        Assert.Single((await _nodes.JsonAsync("history", "--json", "--agent", Agent)).EnumerateArray(),
            t => t.GetProperty("taskId").GetString() == taskId);

    private void Log(string what) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {what}");

    private static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
}
