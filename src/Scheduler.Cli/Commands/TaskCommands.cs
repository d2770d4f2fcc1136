using System.CommandLine;
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
        var command = new Command("tasks", "List the tasks not yet final (pending, running, unknown)") { agent };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Tasks(await scheduler.GetTasksAsync(parse.GetValue(agent), cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command History(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var agent = AgentOption("Only the tasks of this agent");
        var task = new Option<string>("--task") { Description = "Only this task", HelpName = "TASK_ID" };
        var limit = LimitOption("tasks", DefaultHistoryLimit);
        var command = new Command("history", "List tasks newest first, final ones included") { agent, task, limit };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var taskId = parse.GetValue(task) is { } given ? ValidTaskId(given) : null;
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                var tasks = await scheduler.GetHistoryAsync(parse.GetValue(agent), taskId, parse.GetValue(limit), cancellationToken)
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

    public static string ValidTaskId(string id) =>
        TaskIds.Problem(id) is { } problem ? throw new UsageException(problem) : id;
}
