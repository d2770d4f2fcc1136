using System.CommandLine;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>scheduler events</c>: the Master's event log — master runs, agents registered, unreachable, reconnected
/// (with their running tasks) and lost, tasks killed by an agent's reconnect window, replaced journals.
/// </summary>
public static class EventsCommand
{
    public const int DefaultLimit = 100;

    public static Command Create(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var agent = TaskCommands.AgentOption("Only the events of this agent");
        var limit = TaskCommands.LimitOption("events, the newest", DefaultLimit);
        var command = new Command("events", "Show the Master's event log, oldest first: agents connecting, going unreachable, reconnecting, lost") { agent, limit };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Events(await scheduler.GetEventsAsync(parse.GetValue(agent), parse.GetValue(limit), cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
