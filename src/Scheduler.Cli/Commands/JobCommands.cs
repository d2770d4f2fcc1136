using System.CommandLine;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler jobs</c> and <c>scheduler job run ID</c>: the jobs the Master fires, and one run on demand.</summary>
public static class JobCommands
{
    public static Command List(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var command = new Command("jobs", "List the jobs: schedule, where they run, next fire time, runs");
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) => client.RunAsync(parse, async (scheduler, output) =>
        {
            output.Jobs(await scheduler.GetJobsAsync(cancellationToken).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary><c>scheduler job run ID</c>; later <c>job add</c>, <c>remove</c> and <c>history</c> join it.</summary>
    public static Command Job(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var jobId = new Argument<string>("JOB_ID") { Description = "The job's id" };
        var run = new Command("run", "Run a job once now, besides its schedule; prints the run's task (JOB_ID.RUN)") { jobId };
        client.AddTo(run);
        run.SetAction((parse, cancellationToken) =>
        {
            var id = parse.GetRequiredValue(jobId);
            if (TaskIds.Problem(id, "job id") is { } problem)
            {
                throw new UsageException(problem);
            }

            return client.RunAsync(parse, async (scheduler, output) =>
            {
                output.Task(await scheduler.RunJobAsync(id, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        return new Command("job", "Act on one job") { run };
    }
}
