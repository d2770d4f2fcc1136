using System.CommandLine;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler agents [--watch]</c>: every agent the Master knows.</summary>
public static class AgentsCommand
{
    public static Command Create(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var live = new LiveView(console, "agents");
        var command = new Command("agents", "List the agents the Master knows: state, last contact, running tasks, journal adopted/end "
                                            + "(replay progress), time left in the reconnect window while unreachable");
        client.AddTo(command);
        live.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, (scheduler, output) =>
            live.RunAsync(parse, output, async (frame, ct) => frame.Agents(await scheduler.GetAgentsAsync(ct).ConfigureAwait(false)), cancellationToken)));
        return command;
    }
}
