using System.Globalization;
using System.Text;
using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli;

/// <summary>
/// Everything a client command prints on stdout: with <c>--json</c> exactly one JSON document (the wire
/// format's camelCase names and enum names), otherwise tables and lines for people. Notes about an answer
/// (e.g. entries left out) go to <paramref name="notes"/> (stderr), so stdout stays parseable.
/// </summary>
public sealed class Output(TextWriter writer, bool json, TextWriter? notes = null)
{
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    public bool Json { get; } = json;

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    public void Task(TaskView task)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(task));
            return;
        }

        var lines = new (string Name, string Value)[]
        {
            ("task", task.TaskId),
            ("agent", task.Agent),
            ("command", CommandText(task.Command)),
            ("state", task.State.ToString()),
            ("exit code", task.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            ("submitted", Time(task.SubmittedAt)),
            ("started", Time(task.StartedAt)),
            ("ended", Time(task.EndedAt)),
            ("reason", task.Reason ?? "-"),
        };
        if (task.LogNote is { } note)
        {
            lines = [.. lines, ("log", note)];
        }

        foreach (var (name, value) in lines)
        {
            writer.WriteLine($"{name + ":",-11}{value}");
        }
    }

    /// <summary>The id of a submitted task (the whole task with <c>--json</c>).</summary>
    public void Submitted(TaskView task)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(task));
        }
        else
        {
            writer.WriteLine(task.TaskId);
        }
    }

    public void Tasks(TasksResult result)
    {
        Tasks(result.Tasks);
        NoteOmitted(result.Omitted, "task(s)");
    }

    public void Tasks(IReadOnlyList<TaskView> tasks)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(tasks));
            return;
        }

        Table(
            ["TASK", "AGENT", "STATE", "EXIT", "SUBMITTED", "STARTED", "ENDED", "COMMAND", "REASON"],
            tasks.Select(t => new[]
            {
                t.TaskId,
                t.Agent,
                t.State.ToString(),
                t.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Time(t.SubmittedAt),
                Time(t.StartedAt),
                Time(t.EndedAt),
                Truncate(CommandText(t.Command), 40),
                t.Reason ?? "",
            }));
    }

    public void Agents(IReadOnlyList<AgentView> agents)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(agents));
            return;
        }

        var now = DateTimeOffset.UtcNow;
        Table(
            ["AGENT", "STATE", "LAST SEEN", "RUNNING", "JOURNAL", "WINDOW", "LABELS"],
            agents.Select(a => new[]
            {
                a.Name,
                a.State.ToString(),
                Time(a.LastSeen),
                a.RunningTasks.ToString(CultureInfo.InvariantCulture),
                Journal(a),
                a.State == AgentState.Unreachable ? Window(a, now) : "-",
                string.Join(",", a.Labels),
            }));
    }

    /// <summary>Adopted offset / journal end, and while they differ the share adopted (replay progress).</summary>
    private static string Journal(AgentView a)
    {
        if (a.AdoptedOffset is not { } adopted)
        {
            return "-";
        }

        var end = Math.Max(a.JournalEnd ?? adopted, adopted);
        return end > adopted && end > 0
            ? $"{adopted}/{end} ({100.0 * adopted / end:0}% replayed)"
            : $"{adopted}/{end}";
    }

    /// <summary>While unreachable: how long until the agent's reconnect window ends (it then kills its tasks itself).</summary>
    private static string Window(AgentView a, DateTimeOffset now) => a.WindowEndsAt switch
    {
        null => "infinite",
        { } end when end > now => $"kills tasks in {Core.Configuration.Durations.Describe(end - now)}",
        _ => "over",
    };

    /// <summary>A line for the person at the terminal (stderr): an error a live view carries on after.</summary>
    public void Error(string line)
    {
        (notes ?? writer).WriteLine(line);
        (notes ?? writer).Flush();
    }

    /// <summary>One log line (<c>logs --follow</c>): the text, or with <c>--json</c> a JSON object <c>{"stream","text"}</c>.</summary>
    public void LogLine(Client.TaskLogLine line)
    {
        writer.WriteLine(Json ? ToJson(line) : line.Text);
        writer.Flush();
    }

    public void Jobs(IReadOnlyList<JobView> jobs)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(jobs));
            return;
        }

        Table(
            ["JOB", "SCHEDULE", "ON", "NEXT", "RUNS", "UNFINISHED", "SOURCE"],
            jobs.Select(j => new[]
            {
                j.Spec.JobId,
                j.Schedule,
                j.Spec.Agent ?? $"labels {string.Join(",", j.Spec.Labels)}",
                Time(j.NextFireAt),
                j.Runs.ToString(CultureInfo.InvariantCulture),
                j.Unfinished.ToString(CultureInfo.InvariantCulture),
                j.Source,
            }));
    }

    public void Events(EventsResult result)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(result.Events));
        }
        else
        {
            Table(
                ["#", "TIME", "KIND", "AGENT", "EVENT"],
                result.Events.Select(e => new[]
                {
                    e.Sequence.ToString(CultureInfo.InvariantCulture),
                    Time(e.At),
                    e.Kind.ToString(),
                    e.Agent ?? "-",
                    e.Message,
                }));
        }

        NoteOmitted(result.Omitted, "older event(s)");
    }

    /// <summary>One feed event per line (<c>events --follow</c>): with <c>--json</c> one JSON object per line.</summary>
    public void FeedEvent(FeedEvent e)
    {
        writer.WriteLine(Json ? ToJson(e) : e switch
        {
            TaskStateChanged t => $"{t.Offset} {Time(t.At)} task {t.TaskId} on {t.Agent}: {t.State}"
                                  + (t.ExitCode is { } code ? $" (exit code {code})" : "") + (t.Reason is { } reason ? $": {reason}" : ""),
            AgentStateChanged a => $"{a.Offset} {Time(a.At)} agent {a.Agent}: {a.State}" + (a.Reason is { } reason ? $": {reason}" : ""),
            _ => $"{e.Offset} {Time(e.At)} {e.GetType().Name}",
        });
        writer.Flush();
    }

    public void Status(MasterStatus status)
    {
        if (Json)
        {
            writer.WriteLine(ToJson(status));
            return;
        }

        var agents = status.Agents is { } a ? $"{a.Connected} connected, {a.Unreachable} unreachable, {a.Lost} lost" : "unknown";
        string[][] rows =
            [
                ["node", status.Node],
                ["master run", status.RunId is null ? "-" : $"{status.RunId} (epoch {status.Epoch})"],
                ["state", status.Paused switch { true => "PAUSED: no task starts until `scheduler resume`", false => "running", null => "unknown" }],
                ["journal", status.JournalKind],
                ["database", status.Database.Summary],
                ["agents", agents],
                ["unfinished tasks", status.UnfinishedTasks?.ToString(CultureInfo.InvariantCulture) ?? "unknown"],
            ];
        foreach (var row in rows)
        {
            writer.WriteLine($"{row[0] + ":",-18}{row[1]}");
        }
    }

    public void Lines(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>The command as one shell-like line: arguments with spaces or quotes are single-quoted.</summary>
    public static string CommandText(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(arg =>
            arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
                ? arg
                : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    public static string Time(DateTimeOffset? time) =>
        time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    private void NoteOmitted(int omitted, string what)
    {
        if (omitted > 0)
        {
            (notes ?? writer).WriteLine($"note: {omitted} more {what} not shown: an answer is limited to about "
                + $"{WireLimits.MaxResultBytes / 1000} KB; narrow the query (--agent, --task) or lower --limit");
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var column = 0; column < row.Length; column++)
            {
                line.Append(column == row.Length - 1 ? row[column] : row[column].PadRight(widths[column] + 2));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = SchedulerSerializer.CreateOptions();
        options.WriteIndented = true;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
