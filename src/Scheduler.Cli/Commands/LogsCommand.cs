using System.CommandLine;
using Scheduler.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler logs TASK_ID [--stream stdout|stderr]</c>: the task's output lines as the Master has them.</summary>
public static class LogsCommand
{
    public static Command Create(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var taskId = TaskCommands.TaskIdArgument();
        var stream = new Option<string>("--stream") { Description = "Only this output stream", HelpName = "stdout|stderr" };
        stream.AcceptOnlyFromAmong("stdout", "stderr");
        var command = new Command("logs", "Print a task's output, lines in order, as the Master has copied it") { taskId, stream };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var id = TaskCommands.ValidTaskId(parse.GetRequiredValue(taskId));
            OutputStream? only = parse.GetValue(stream) switch
            {
                "stdout" => OutputStream.Stdout,
                "stderr" => OutputStream.Stderr,
                _ => null,
            };
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                var log = await scheduler.GetTaskLogAsync(id, cancellationToken).ConfigureAwait(false);
                var lines = TaskLogText.Lines(log, only);
                if (output.Json)
                {
                    output.Lines([Output.ToJson(lines)]);
                }
                else
                {
                    output.Lines(lines);
                }

                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
