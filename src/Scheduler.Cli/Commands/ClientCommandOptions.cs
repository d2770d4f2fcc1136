using System.CommandLine;
using Scheduler.Client;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>--master</c> (repeatable, default <c>$SCHEDULER_MASTER</c> else 127.0.0.1:4053), <c>--json</c>,
/// <c>--verbose</c>, and running a command body against a connected <see cref="SchedulerClient"/>.
/// </summary>
public sealed class ClientCommandOptions
{
    public const string MasterEnvironmentVariable = "SCHEDULER_MASTER";

    /// <summary>The host name the client is answered at, for masters on other machines (default 127.0.0.1).</summary>
    public const string ClientHostEnvironmentVariable = "SCHEDULER_CLIENT_HOST";

    /// <summary>How long a request may wait for the Master (a duration, default 5s).</summary>
    public const string RequestTimeoutEnvironmentVariable = "SCHEDULER_REQUEST_TIMEOUT";

    private readonly CliConsole _console;

    public ClientCommandOptions(CliConsole console)
    {
        _console = console;
        Master = new Option<string[]>("--master")
        {
            Description = $"HOST:PORT of a master; repeat for several (default ${MasterEnvironmentVariable}, else {SchedulerClientOptions.DefaultContactPoint})",
            HelpName = "HOST:PORT",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => DefaultMasters(console),
        };
        Master.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                var problem = ContactPoints.Problem(value);
                if (problem is not null)
                {
                    result.AddError($"--master: {problem}");
                }
            }
        });
        Json = new Option<bool>("--json") { Description = "Print one JSON document on stdout" };
        Verbose = new Option<bool>("--verbose") { Description = "Show the client's log lines on stderr" };
    }

    public Option<string[]> Master { get; }

    public Option<bool> Json { get; }

    public Option<bool> Verbose { get; }

    public static string[] DefaultMasters(CliConsole console)
    {
        var fromEnvironment = console.GetEnvironmentVariable(MasterEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? [SchedulerClientOptions.DefaultContactPoint]
            : fromEnvironment.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Master);
        command.Options.Add(Json);
        command.Options.Add(Verbose);
    }

    public SchedulerClientOptions ClientOptions(ParseResult parse)
    {
        var masters = parse.GetValue(Master) is { Length: > 0 } given ? given : DefaultMasters(_console);
        foreach (var master in masters)
        {
            if (ContactPoints.Problem(master) is { } problem)
            {
                throw new UsageException($"{MasterEnvironmentVariable}: {problem}");
            }
        }

        var options = new SchedulerClientOptions(masters)
        {
            LogLevel = parse.GetValue(Verbose) ? "INFO" : "OFF",
            LogWriter = _console.Error,
        };
        if (_console.GetEnvironmentVariable(ClientHostEnvironmentVariable) is { Length: > 0 } host)
        {
            options = options with { Hostname = host };
        }

        if (_console.GetEnvironmentVariable(RequestTimeoutEnvironmentVariable) is { Length: > 0 } timeoutText)
        {
            var timeout = Durations.TryParse(timeoutText, out var problem)
                ?? throw new UsageException($"{RequestTimeoutEnvironmentVariable}: {problem}");
            options = options with { RequestTimeout = timeout };
        }

        return options;
    }

    /// <summary>
    /// Connects, runs <paramref name="body"/> (which returns the exit code), disconnects. A request error is
    /// one line on stderr and exit code 1.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<SchedulerClient, Output, Task<int>> body)
    {
        var options = ClientOptions(parse);
        var output = new Output(_console.Out, parse.GetValue(Json), _console.Error);
        try
        {
            await using var client = await SchedulerClient.ConnectAsync(options).ConfigureAwait(false);
            return await body(client, output).ConfigureAwait(false);
        }
        catch (SchedulerException e)
        {
            _console.Error.WriteLine($"error: {SchedulerCli.OneLine(e.Message)}");
            return ExitCodes.RequestFailed;
        }
    }
}
