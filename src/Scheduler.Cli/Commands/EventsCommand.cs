using System.CommandLine;
using Scheduler.Client;
using Scheduler.Contracts.Feed;

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
        var follow = new Option<bool>("--follow") { Description = "Print the task and agent event feed as it grows, until Ctrl+C (one line, or one JSON object, per event)" };
        var from = new Option<string?>("--from")
        {
            Description = "Print the feed after this offset (SEQUENCE:INDEX, e.g. the last one printed; 0:0 for all)",
            HelpName = "OFFSET",
        };
        from.Validators.Add(result =>
        {
            if (!EventOffset.TryParse(result.GetValueOrDefault<string?>(), out _))
            {
                result.AddError("--from: expected SEQUENCE:INDEX, e.g. 120:3");
            }
        });
        var command = new Command("events", "Show the Master's event log, oldest first: agents connecting, going unreachable, reconnecting, lost; "
                                            + "with --follow or --from the task and agent event feed instead") { agent, limit, follow, from };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            if (parse.GetValue(follow) || parse.GetValue(from) is not null)
            {
                EventOffset.TryParse(parse.GetValue(from) ?? "0:0", out var after);
                return await PrintFeedAsync(scheduler, output, after, parse.GetValue(follow), cancellationToken).ConfigureAwait(false);
            }

            output.Events(await scheduler.GetEventsAsync(parse.GetValue(agent), parse.GetValue(limit), cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The feed after <paramref name="after"/>: with <paramref name="follow"/> until cancelled (Ctrl+C), waiting out a
    /// Master that is away; without, page by page to its end, failing like any command when no Master answers.
    /// </summary>
    private static async Task<int> PrintFeedAsync(SchedulerClient scheduler, Output output, EventOffset after, bool follow, CancellationToken cancellationToken)
    {
        try
        {
            if (follow)
            {
                await foreach (var e in scheduler.EventsAsync(after, follow: true, cancellationToken).ConfigureAwait(false))
                {
                    output.FeedEvent(e);
                }
            }

            var subscription = Guid.NewGuid().ToString("N");
            FeedPage page;
            do
            {
                page = await scheduler.ReadFeedAsync(subscription, after, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var e in page.Events)
                {
                    output.FeedEvent(e);
                }

                after = page.Last;
            }
            while (!page.AtEnd);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends following; what was printed is complete up to the last offset shown.
        }

        return ExitCodes.Ok;
    }
}
