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
        var follow = new Option<bool>("--follow")
        {
            Description = "Print new output as the Master copies it, until the task is final and its whole log is printed (or Ctrl+C); with --json one JSON object per line",
        };
        var command = new Command("logs", "Print a task's output, lines in order, as the Master has copied it") { taskId, stream, follow };
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
                if (parse.GetValue(follow))
                {
                    return await FollowAsync(scheduler, output, id, only, cancellationToken).ConfigureAwait(false);
                }

                var lines = await scheduler.GetTaskLogLinesAsync(id, only, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// <c>--follow</c>: the lines as they come, until the task is final and its log complete (exit 0), or Ctrl+C (exit 0).
    /// A Master that does not answer for a while (a hand-over, a restart) is asked again, as <c>--watch</c> does; each new
    /// error is said once on standard error.
    /// </summary>
    private static async Task<int> FollowAsync(SchedulerClient scheduler, Output output, string taskId, OutputStream? only, CancellationToken cancellationToken)
    {
        using var stop = LiveView.UntilInterrupted(cancellationToken);
        string? said = null;
        void Unavailable(SchedulerException e)
        {
            if (e.Message != said)
            {
                output.Error($"error: {SchedulerCli.OneLine(e.Message)} (still following; Ctrl+C to stop)");
                said = e.Message;
            }
        }

        try
        {
            await foreach (var line in scheduler.FollowTaskLogAsync(taskId, cancellationToken: stop.Token, whileUnavailable: Unavailable).ConfigureAwait(false))
            {
                if (only is null || line.Stream == only)
                {
                    output.LogLine(line);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C: what was printed is the log up to here.
        }

        return ExitCodes.Ok;
    }
}
