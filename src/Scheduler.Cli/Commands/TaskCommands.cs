using System.CommandLine;
using System.Globalization;
using Scheduler.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler task</c>, <c>tasks</c>, <c>history</c> and <c>kill</c>.</summary>
public static class TaskCommands
{
    public const int DefaultHistoryLimit = 100;

    public static Command Task(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var taskId = TaskIdArgument();
        var command = new Command("task", "Show one task") { taskId };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var id = ValidTaskId(parse.GetRequiredValue(taskId));
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                output.Task(await scheduler.GetTaskAsync(id, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    public static Command Tasks(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var agent = AgentOption("Only the tasks of this agent");
        var live = new LiveView(console, "tasks");
        var command = new Command("tasks", "List the tasks not yet final (pending, running, unknown)") { agent };
        client.AddTo(command);
        live.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, (scheduler, output) =>
            live.RunAsync(parse, output, async (frame, ct) => frame.Tasks(await scheduler.GetTasksAsync(parse.GetValue(agent), ct).ConfigureAwait(false)),
                cancellationToken)));
        return command;
    }

    public static Command History(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var agent = AgentOption("Only the tasks of this agent");
        var task = new Option<string>("--task") { Description = "Only this task", HelpName = "TASK_ID" };
        var limit = LimitOption("tasks", DefaultHistoryLimit);
        var since = TimeOption("--since", "Only tasks submitted at or after this time");
        var until = TimeOption("--until", "Only tasks submitted before this time");
        var command = new Command("history", "List tasks newest first, final ones included") { agent, task, limit, since, until };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var taskId = parse.GetValue(task) is { } given ? ValidTaskId(given) : null;
            var now = DateTimeOffset.UtcNow;
            var (from, to) = (PointInTime(parse.GetValue(since), "--since", now), PointInTime(parse.GetValue(until), "--until", now));
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                var tasks = await scheduler.GetHistoryAsync(parse.GetValue(agent), taskId, parse.GetValue(limit), from, to, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                output.Tasks(tasks);
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    public static Command Kill(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var taskId = TaskIdArgument();
        var command = new Command("kill", "Kill a task; prints the task as it is at that moment") { taskId };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var id = ValidTaskId(parse.GetRequiredValue(taskId));
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                output.Task(await scheduler.KillAsync(id, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    public static Argument<string> TaskIdArgument() => new("TASK_ID") { Description = "The task's id" };

    /// <summary><c>--limit N</c>, a positive number.</summary>
    public static Option<int> LimitOption(string what, int defaultLimit)
    {
        var limit = new Option<int>("--limit")
        {
            Description = $"At most this many {what} (default {defaultLimit})",
            HelpName = "N",
            DefaultValueFactory = _ => defaultLimit,
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--limit must be a positive number");
            }
        });
        return limit;
    }

    public static Option<string> AgentOption(string description) => new("--agent") { Description = description, HelpName = "NAME" };

    private static Option<string> TimeOption(string name, string description) =>
        new(name) { Description = description + ": 2026-11-29T10:00:00Z (or local 2026-11-29 10:00), or a duration ago such as 2h", HelpName = "TIME" };

    /// <summary>An ISO-8601 time (local when it names no offset) or a duration before <paramref name="now"/>.</summary>
    public static DateTimeOffset? PointInTime(string? text, string option, DateTimeOffset now)
    {
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out _) is { } ago)
        {
            return now - ago;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? time
            : throw new UsageException($"{option}: '{text}' is neither a time such as 2026-11-29T10:00:00Z nor a duration such as 2h");
    }

    public static string ValidTaskId(string id) =>
        TaskIds.Problem(id) is { } problem ? throw new UsageException(problem) : id;
}
