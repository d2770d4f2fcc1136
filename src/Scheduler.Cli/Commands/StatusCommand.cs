using System.CommandLine;
using Scheduler.Client;
using Scheduler.Contracts.Client;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>scheduler status</c>, <c>pause</c> and <c>resume</c>. Status: which node holds the scheduler, its run, its journal, the database (also while it is
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

    /// <summary><c>scheduler pause</c>: running tasks continue, nothing new starts; persisted until <c>resume</c>.</summary>
    public static Command Pause(CliConsole console) =>
        StatusChange(console, "pause", "Pause the Master: running tasks continue, no task starts until resume (kept across restarts)",
            (scheduler, cancellationToken) => scheduler.PauseAsync(cancellationToken));

    /// <summary><c>scheduler resume</c>: tasks submitted while paused start.</summary>
    public static Command Resume(CliConsole console) =>
        StatusChange(console, "resume", "Resume a paused Master: tasks submitted meanwhile start",
            (scheduler, cancellationToken) => scheduler.ResumeAsync(cancellationToken));

    private static Command StatusChange(CliConsole console, string name, string description,
        Func<SchedulerClient, CancellationToken, Task<MasterStatus>> change)
    {
        var client = new ClientCommandOptions(console);
        var command = new Command(name, description);
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Status(await change(scheduler, cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
