using System.CommandLine;
using Akka.Configuration;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Configuration;
using Scheduler.Core.Jobs;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>scheduler jobs</c>, and <c>scheduler job add FILE | remove ID | run ID | history ID</c>: the jobs the Master
/// fires, defined from a HOCON file in the form of the master's <c>scheduler.jobs</c> block.
/// </summary>
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

    public static Command Job(CliConsole console) => new("job", "Define, remove, run a job, or list its runs")
    {
        Add(console), Remove(console), Run(console), History(console),
    };

    private static Command Add(CliConsole console)
    {
        var client = new ClientCommandOptions(console);
        var file = new Argument<string>("FILE") { Description = "A HOCON file with a scheduler.jobs block, as in the master's configuration" };
        var command = new Command("add", "Define the jobs of a file (or change those with the same ids); prints them") { file };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var jobs = ReadJobs(parse.GetRequiredValue(file));
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                output.Jobs(await scheduler.AddJobsAsync(jobs, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Remove(CliConsole console) => OnJob(console, "remove", "Remove a job: it fires no more; its runs stay; prints it as it was",
        async (scheduler, id, output, _, cancellationToken) => output.Jobs([await scheduler.RemoveJobAsync(id, cancellationToken).ConfigureAwait(false)]));

    private static Command Run(CliConsole console) => OnJob(console, "run", "Run a job once now, besides its schedule; prints the run's task (JOB_ID.RUN)",
        async (scheduler, id, output, _, cancellationToken) => output.Task(await scheduler.RunJobAsync(id, cancellationToken).ConfigureAwait(false)));

    private static Command History(CliConsole console)
    {
        var limit = TaskCommands.LimitOption("runs", TaskCommands.DefaultHistoryLimit);
        var command = OnJob(console, "history", "List a job's runs, newest first",
            async (scheduler, id, output, parse, cancellationToken) => output.Tasks(await scheduler.GetHistoryAsync(
                limit: parse.GetValue(limit), jobId: id, cancellationToken: cancellationToken).ConfigureAwait(false)));
        command.Options.Add(limit);
        return command;
    }

    /// <summary>A command on one job id (checked before the Master is asked).</summary>
    private static Command OnJob(CliConsole console, string name, string description,
        Func<Client.SchedulerClient, string, Output, ParseResult, CancellationToken, Task> act)
    {
        var client = new ClientCommandOptions(console);
        var jobId = new Argument<string>("JOB_ID") { Description = "The job's id" };
        var command = new Command(name, description) { jobId };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var id = parse.GetRequiredValue(jobId);
            if (TaskIds.Problem(id, "job id") is { } problem)
            {
                throw new UsageException(problem);
            }

            return client.RunAsync(parse, async (scheduler, output) =>
            {
                await act(scheduler, id, output, parse, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>The jobs of a file, checked as the master checks its own: a mistake is a usage error naming the file and key.</summary>
    private static IReadOnlyList<JobSpec> ReadJobs(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"job file '{path}' not found");
        }

        var text = File.ReadAllText(path);
        if (HoconCheck.Problem(text) is { } malformed)
        {
            throw new UsageException($"{path}: {malformed}");
        }

        try
        {
            var jobs = JobsConfig.Read(ConfigurationFactory.ParseString(text), path);
            return jobs.Count > 0 ? jobs : throw new UsageException($"{path}: no jobs (expected a {JobsConfig.Path} block)");
        }
        catch (SettingsException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
