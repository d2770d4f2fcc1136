using System.CommandLine;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>scheduler status</c>: which node holds the scheduler, its run, its journal, the database (also while it is
/// unavailable: since when, the attempt, the next one) and agent counts. Exit code 0 whenever the Master answers.
/// </summary>
public static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var command = new Command("status", "Show the Master: node, run, journal, database (also during an outage), agents");
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Status(await scheduler.GetStatusAsync(cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
