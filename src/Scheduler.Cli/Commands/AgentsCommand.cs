using System.CommandLine;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler agents</c>: every agent the Master knows.</summary>
public static class AgentsCommand
{
    public static Command Create(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var command = new Command("agents", "List the agents the Master knows");
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Agents(await scheduler.GetAgentsAsync(cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
