using System.Text.Json;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Cli.Tests;

public sealed class OutputSpecs
{
    private static readonly TaskView Task = new(
        "t-1",
        "local",
        ["echo", "a b"],
        TaskState.TimedOut,
        null,
        new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 28, 10, 0, 1, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 28, 10, 0, 31, TimeSpan.Zero),
        "timed out after 30s");

    [Fact]
    public void Task_json_should_have_the_documented_names_and_string_states()
    {
        using var json = JsonDocument.Parse(Cli.Output.ToJson(Task));
        var root = json.RootElement;

        Assert.Equal(
            ["taskId", "agent", "command", "state", "exitCode", "submittedAt", "startedAt", "endedAt", "reason", "logNote"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("TimedOut", root.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("exitCode").ValueKind);
        Assert.Equal(["echo", "a b"], root.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Task.SubmittedAt, root.GetProperty("submittedAt").GetDateTimeOffset());
    }

    [Fact]
    public void Agents_json_should_be_an_array_with_the_documented_names()
    {
        var writer = new StringWriter();
        new Output(writer, json: true).Agents([new AgentView("local", AgentState.Connected, null, 3, ["gpu"])]);

        using var json = JsonDocument.Parse(writer.ToString());
        var agent = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(["name", "state", "lastSeen", "runningTasks", "labels", "windowEndsAt", "lostAt", "adoptedOffset", "journalEnd"],
            agent.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Connected", agent.GetProperty("state").GetString());
        Assert.Equal(3, agent.GetProperty("runningTasks").GetInt32());
    }

    [Fact]
    public void Tasks_table_should_show_id_agent_state_exit_code_and_reason()
    {
        var writer = new StringWriter();
        new Output(writer, json: false).Tasks([Task, Task with { TaskId = "t-2", State = TaskState.Succeeded, ExitCode = 0, Reason = null }]);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("TASK", lines[0]);
        Assert.Matches(@"^t-1\s+local\s+TimedOut\s+-\s+.*echo 'a b'\s+timed out after 30s$", lines[1]);
        Assert.Matches(@"^t-2\s+local\s+Succeeded\s+0\s+", lines[2]);
    }

    [Fact]
    public void CommandText_should_quote_arguments_a_shell_would_split()
    {
        Assert.Equal("sh -c 'echo '\\''hi'\\'' there' ''", Cli.Output.CommandText(["sh", "-c", "echo 'hi' there", ""]));
    }
}
