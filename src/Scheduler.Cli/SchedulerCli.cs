using System.CommandLine;
using System.CommandLine.Invocation;
using Scheduler.Cli.Commands;

namespace Scheduler.Cli;

/// <summary>The <c>scheduler</c> command: builds the command tree, parses, runs, maps failures to exit codes.</summary>
public static class SchedulerCli
{
    public static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("Resilient master/agent job scheduler: run nodes and talk to the Master.");
        root.Subcommands.Add(NodeCommands.Master(console));
        root.Subcommands.Add(NodeCommands.Agent(console));
        root.Subcommands.Add(NodeCommands.Standalone(console));
        root.Subcommands.Add(SubmitCommand.Create(console));
        root.Subcommands.Add(TaskCommands.Task(console));
        root.Subcommands.Add(TaskCommands.Tasks(console));
        root.Subcommands.Add(TaskCommands.History(console));
        root.Subcommands.Add(LogsCommand.Create(console));
        root.Subcommands.Add(AgentsCommand.Create(console));
        root.Subcommands.Add(JobCommands.List(console));
        root.Subcommands.Add(JobCommands.Job(console));
        root.Subcommands.Add(EventsCommand.Create(console));
        root.Subcommands.Add(StatusCommand.Create(console));
        root.Subcommands.Add(StatusCommand.Pause(console));
        root.Subcommands.Add(StatusCommand.Resume(console));
        root.Subcommands.Add(TaskCommands.Kill(console));
        root.Subcommands.Add(CertsCommands.Create(console));
        return root;
    }

    /// <summary>Response files off, so <c>@x</c> in a task's command is an ordinary argument.</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    public static ParseResult Parse(string[] args, CliConsole console) => BuildRoot(console).Parse(args, ParserConfiguration);

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var parse = Parse(args, console);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            var command = parse.CommandResult.Command is RootCommand ? "scheduler" : $"scheduler {parse.CommandResult.Command.Name}";
            // An unknown word also makes "Required command was not provided": name the word instead.
            var message = parse.Errors
                .Select(e => OneLine(e.Message))
                .OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0)
                .First();
            console.Error.WriteLine($"error: {message} (see '{command} --help')");
            return ExitCodes.UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // The node commands handle SIGINT/SIGTERM themselves and stop gracefully.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException)
        {
            console.Error.WriteLine("error: cancelled");
            return ExitCodes.RequestFailed;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return ExitCodes.RequestFailed;
        }
    }

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
