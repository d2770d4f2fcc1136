using Scheduler.Cli.Commands;
using System.Text.Json;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Xunit;

namespace Scheduler.Cli.Tests;

/// <summary>The client commands run in-process against a fake master.</summary>
public sealed class ClientCommandSpecs : IAsyncLifetime
{
    private FakeMaster _master = null!;

    public async Task InitializeAsync() => _master = await FakeMaster.StartAsync();

    public async Task DisposeAsync() => await _master.DisposeAsync();

    private Task<(int ExitCode, string Out, string[] Errors)> RunAsync(params string[] args) =>
        TestConsole.For(_master.ContactPoint, "10s").RunAsync(args);

    [Fact]
    public async Task Submit_should_print_the_task_id_and_send_the_command_verbatim()
    {
        var (exitCode, output, errors) = await RunAsync("submit", "--agent", "local", "--id", "t-9", "--", "printf", "%s\n", "a b", "--json");

        Assert.Equal((0, "t-9\n"), (exitCode, output));
        Assert.Empty(errors);
        var submit = Assert.IsType<SubmitTask>(Assert.Single(_master.Received));
        Assert.Equal(["printf", "%s\n", "a b", "--json"], submit.Spec.Command);
    }

    [Fact]
    public async Task Submit_with_json_should_print_the_task_object_only()
    {
        var (exitCode, output, _) = await RunAsync("submit", "--json", "--agent", "local", "--id", "t-10", "--", "true");

        using var json = JsonDocument.Parse(output);
        Assert.Equal(0, exitCode);
        Assert.Equal("t-10", json.RootElement.GetProperty("taskId").GetString());
        Assert.Equal("Pending", json.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Submit_to_an_unknown_agent_should_fail_with_one_line_and_no_output()
    {
        var (exitCode, output, errors) = await RunAsync("submit", "--agent", FakeMaster.UnknownAgent, "--", "true");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Equal([$"error: unknown agent '{FakeMaster.UnknownAgent}'"], errors);
    }

    [Fact]
    public async Task Submit_of_a_used_id_should_say_so()
    {
        var (exitCode, _, errors) = await RunAsync("submit", "--agent", "local", "--id", "t-used", "--", "true");

        Assert.Equal(1, exitCode);
        Assert.Equal(["error: task id 't-used' is already used"], errors);
    }

    [Fact]
    public async Task Tasks_history_and_agents_with_json_should_print_one_array()
    {
        foreach (var args in new[] { new[] { "tasks", "--json" }, ["history", "--json", "--limit", "2"], ["agents", "--json"] })
        {
            var (exitCode, output, errors) = await RunAsync(args);

            using var json = JsonDocument.Parse(output);
            Assert.Equal(0, exitCode);
            Assert.Empty(errors);
            Assert.Equal(2, json.RootElement.GetArrayLength());
        }

        Assert.Contains(new GetHistory(null, null, 2), _master.Received);
    }

    [Fact]
    public async Task History_since_and_until_should_take_a_time_or_a_duration_ago()
    {
        var before = DateTimeOffset.UtcNow;
        var (exitCode, _, errors) = await RunAsync("history", "--since", "2h", "--until", "2026-11-29T10:00:00Z");

        Assert.Equal(0, exitCode);
        Assert.Empty(errors);
        var asked = Assert.Single(_master.Received.OfType<GetHistory>());
        Assert.InRange(asked.Since!.Value, before.AddHours(-2).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(-2));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero), asked.Until);
    }

    [Fact]
    public async Task History_with_a_bad_time_should_be_a_usage_error_naming_the_option()
    {
        var (exitCode, _, errors) = await RunAsync("history", "--since", "yesterday-ish");

        Assert.Equal(2, exitCode);
        Assert.Equal(["error: --since: 'yesterday-ish' is neither a time such as 2026-11-29T10:00:00Z nor a duration such as 2h"], errors);
        Assert.Empty(_master.Received);
    }

    [Fact]
    public async Task Status_pause_and_resume_should_print_the_masters_status()
    {
        var (statusExit, status, _) = await RunAsync("status");
        var (pauseExit, paused, _) = await RunAsync("pause");
        var (resumeExit, resumed, _) = await RunAsync("resume", "--json");

        Assert.Equal((0, 0, 0), (statusExit, pauseExit, resumeExit));
        Assert.Contains("master run:       run-1 (epoch 3)", status);
        Assert.Contains("state:            running", status);
        Assert.Contains("agents:           1 connected, 1 unreachable, 0 lost", status);
        Assert.Contains("state:            PAUSED: no task starts until `scheduler resume`", paused);
        using var json = JsonDocument.Parse(resumed);
        Assert.False(json.RootElement.GetProperty("paused").GetBoolean());
        Assert.Equal([GetStatus.Instance, PauseMaster.Instance, ResumeMaster.Instance], _master.Received.Where(r => r is GetStatus or PauseMaster or ResumeMaster));
    }

    [Fact]
    public async Task Task_and_kill_should_print_the_task()
    {
        var (taskExit, taskOutput, _) = await RunAsync("task", "t-4", "--json");
        var (killExit, killOutput, _) = await RunAsync("kill", "t-4");

        using var json = JsonDocument.Parse(taskOutput);
        Assert.Equal((0, 0), (taskExit, killExit));
        Assert.Equal("Running", json.RootElement.GetProperty("state").GetString());
        Assert.Contains("state:     Killed", killOutput);
        Assert.Contains("reason:    killed by request", killOutput);
    }

    [Fact]
    public async Task Task_of_a_missing_id_should_fail_with_the_masters_message()
    {
        var (exitCode, output, errors) = await RunAsync("task", FakeMaster.MissingTask);

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Equal([$"error: no task '{FakeMaster.MissingTask}'"], errors);
    }

    [Fact]
    public async Task Logs_should_print_the_lines_of_one_stream_in_order()
    {
        var (exitCode, output, _) = await RunAsync("logs", "t-5", "--stream", "stdout");

        var expected = FakeMaster.LogLines.Where(l => l.Stream == Contracts.Tasks.OutputStream.Stdout).Select(l => l.Line + "\n");
        Assert.Equal(0, exitCode);
        Assert.Equal(string.Concat(expected), output);
    }

    [Fact]
    public async Task Logs_should_print_a_last_record_cut_short_once_the_log_is_whole()
    {
        var (exitCode, output, _) = await RunAsync("logs", FakeMaster.CutShortTask);

        Assert.Equal((0, "a whole line\ncut sh\n"), (exitCode, output));
    }

    [Fact]
    public async Task Logs_follow_should_carry_on_through_an_unavailable_master_saying_so_once()
    {
        var (exitCode, output, errors) = await RunAsync("logs", FakeMaster.MovingTask, "--follow");

        Assert.Equal((0, string.Concat(FakeMaster.LostTaskLines.Select(l => l + "\n"))), (exitCode, output));
        Assert.Equal([$"error: {FakeMaster.MovingMessage} (still following; Ctrl+C to stop)"], errors);
    }

    [Fact]
    public async Task Events_should_print_the_event_log_and_pass_the_agent_filter()
    {
        var (exitCode, output, errors) = await RunAsync("events", "--agent", "far");

        Assert.Equal(0, exitCode);
        Assert.Empty(errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("#  TIME", lines[0]);
        Assert.Contains("AgentReconnected", lines[2]);
        Assert.EndsWith("agent far reconnected, 1 running: t-1", lines[2]);
        Assert.Contains(new GetEvents("far", EventsCommand.DefaultLimit), _master.Received);
    }

    [Fact]
    public async Task Events_with_json_should_print_one_array_and_note_omitted_entries_on_stderr()
    {
        var (exitCode, output, errors) = await RunAsync("events", "--json", "--limit", "2");

        using var json = JsonDocument.Parse(output);
        Assert.Equal(0, exitCode);
        Assert.Equal("AgentReconnected", json.RootElement[1].GetProperty("kind").GetString());
        Assert.Equal(["t-1"], json.RootElement[1].GetProperty("taskIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["note: 6 more older event(s) not shown: an answer is limited to about 110 KB; narrow the query (--agent, --task) or lower --limit"], errors);
    }

    [Fact]
    public async Task Events_from_an_offset_should_print_the_feed_page_by_page_to_its_end()
    {
        var (exitCode, output, errors) = await RunAsync("events", "--from", "0:0");

        Assert.Equal(0, exitCode);
        Assert.Empty(errors);
        Assert.Equal([
            $"4:1 {Output.Time(FakeMaster.SubmittedAt)} agent far: Unreachable: no heartbeat since …",
            $"4:2 {Output.Time(FakeMaster.SubmittedAt)} task t-1 on far: Unknown",
            $"9:1 {Output.Time(FakeMaster.SubmittedAt)} task t-1 on far: Failed (exit code 3)",
        ], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var reads = _master.Received.OfType<ReadFeed>().ToList();
        Assert.Equal([EventOffset.Start, new EventOffset(4, 2)], reads.Select(r => r.After));
        Assert.Single(reads.Select(r => r.Subscription).Distinct());
    }

    [Fact]
    public async Task Events_from_a_malformed_offset_should_be_a_usage_error()
    {
        var (exitCode, output, errors) = await RunAsync("events", "--from", "12");

        Assert.Equal((2, ""), (exitCode, output));
        Assert.Contains(errors, e => e.Contains("--from: expected SEQUENCE:INDEX, e.g. 120:3"));
    }

    [Fact]
    public async Task History_with_omitted_tasks_should_say_so_after_the_table()
    {
        var (exitCode, output, errors) = await RunAsync("history", "--limit", "5000");

        Assert.Equal(0, exitCode);
        Assert.Equal(4, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(["note: 4997 more task(s) not shown: an answer is limited to about 110 KB; narrow the query (--agent, --task) or lower --limit"], errors);
    }
}
