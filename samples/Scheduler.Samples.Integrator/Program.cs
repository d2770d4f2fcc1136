using Scheduler.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Tasks;
using Scheduler.Samples.Integrator;

// An integrator's program: connect to the masters, submit a few tasks, follow their events on the feed until each
// has ended, print each task's result and output. The offset of the last event processed is kept in a file, so a
// run that is stopped and started again resumes after it instead of reading the feed from its first event.
if (!SampleOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine($"error: {error}\n{SampleOptions.Usage}");
    return 2;
}

await using var client = await SchedulerClient.ConnectAsync(new SchedulerClientOptions(options.Masters));
var after = await OffsetStore.ReadAsync(options.OffsetFile);
Console.WriteLine($"connected to {string.Join(", ", options.Masters)}; following the feed after {after}");

var submitted = new Dictionary<string, TaskStateChanged?>();
for (var i = 1; i <= options.Count; i++)
{
    // The last task fails on purpose (exit code 3), to show a failure arriving on the feed like any other end.
    var exit = i == options.Count ? 3 : 0;
    var spec = new TaskSpec(TaskIds.New(), ["sh", "-c", $"echo task {i} of {options.Count}; exit {exit}"], null,
        new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
    var task = await client.SubmitAsync(options.Agent, spec);
    submitted[task.TaskId] = null;
    Console.WriteLine($"submitted {task.TaskId} to {options.Agent}");
}

using var patience = new CancellationTokenSource(options.Patience);
await foreach (var e in client.EventsAsync(after, follow: true, patience.Token))
{
    if (e is TaskStateChanged change && submitted.ContainsKey(change.TaskId))
    {
        Console.WriteLine($"{change.Offset,-10} {change.TaskId} {change.State}{(change.ExitCode is { } code ? $" (exit code {code})" : "")}");
        if (change.State.IsFinal())
        {
            submitted[change.TaskId] = change;
        }

        // Processed: a restart resumes after it. Other events are not stored one by one; reading them again is harmless.
        await OffsetStore.WriteAsync(options.OffsetFile, e.Offset);
    }

    if (submitted.Values.All(v => v is not null))
    {
        break;
    }
}

foreach (var (taskId, end) in submitted)
{
    // The log's last lines may still be on their way from the agent when the feed says the task ended.
    var output = TaskLogText.Lines(await client.GetCompleteTaskLogAsync(taskId, patience.Token), whole: true);
    Console.WriteLine($"{taskId} ended {end!.State}: {string.Join(" | ", output)}");
}

return 0;
