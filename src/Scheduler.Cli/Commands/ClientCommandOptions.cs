using System.CommandLine;
using Akka.Configuration;
using Scheduler.Client;
using SettingsException = Scheduler.Core.Configuration.SettingsException;
using Scheduler.Core.Security;
using Scheduler.Hosting;
using ConfigurationException = Scheduler.Hosting.ConfigurationException;

namespace Scheduler.Cli.Commands;

/// <summary>
/// <c>--master</c> (repeatable, default <c>$SCHEDULER_MASTER</c> else 127.0.0.1:4053), <c>--json</c>,
/// <c>--verbose</c>, <c>--config</c> (its <c>scheduler.tls</c>) with the <c>SCHEDULER_TLS_*</c> variables on top, and running
/// a command body against a connected <see cref="SchedulerClient"/>.
/// </summary>
public sealed class ClientCommandOptions
{
    public const string MasterEnvironmentVariable = "SCHEDULER_MASTER";

    /// <summary>The host name the client is answered at, for masters on other machines (default 127.0.0.1).</summary>
    public const string ClientHostEnvironmentVariable = "SCHEDULER_CLIENT_HOST";

    /// <summary>How long a request may wait for the Master (a duration, default 5s).</summary>
    public const string RequestTimeoutEnvironmentVariable = "SCHEDULER_REQUEST_TIMEOUT";

    /// <summary>Mutual TLS without a --config file: the cluster CA's certificate file (ca.crt).</summary>
    public const string TlsCaEnvironmentVariable = "SCHEDULER_TLS_CA_CERTIFICATE";

    /// <summary>This client's PKCS#12 file; setting it turns TLS on.</summary>
    public const string TlsCertificateEnvironmentVariable = "SCHEDULER_TLS_CERTIFICATE";

    public const string TlsPasswordEnvironmentVariable = "SCHEDULER_TLS_PASSWORD";

    public const string TlsPasswordFileEnvironmentVariable = "SCHEDULER_TLS_PASSWORD_FILE";

    private static readonly (string Key, string Variable)[] TlsVariables =
    [
        ("scheduler.tls.ca-certificate", TlsCaEnvironmentVariable),
        ("scheduler.tls.certificate", TlsCertificateEnvironmentVariable),
        ("scheduler.tls.password", TlsPasswordEnvironmentVariable),
        ("scheduler.tls.password-file", TlsPasswordFileEnvironmentVariable),
    ];

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
        Config = new Option<string?>("--config")
        {
            Description = $"A HOCON file whose scheduler.tls block is used to reach masters that run TLS ({TlsCertificateEnvironmentVariable} and the other SCHEDULER_TLS_* variables win over it)",
            HelpName = "FILE",
        };
    }

    public Option<string[]> Master { get; }

    public Option<bool> Json { get; }

    public Option<bool> Verbose { get; }

    public Option<string?> Config { get; }

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
        command.Options.Add(Config);
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
            Tls = Tls(parse.GetValue(Config)),
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
    /// <c>scheduler.tls</c> of the <c>--config</c> file with the <c>SCHEDULER_TLS_*</c> variables on top; setting
    /// <c>SCHEDULER_TLS_CERTIFICATE</c> turns TLS on. Throws <see cref="UsageException"/> naming the key or variable.
    /// </summary>
    private TlsSettings Tls(string? configFile)
    {
        var config = ConfigurationFactory.Empty;
        var origin = "environment";
        if (configFile is not null)
        {
            try
            {
                (config, origin) = NodeConfig.Load(new NodeOptions(ConfigFile: configFile), ConfigurationFactory.Empty);
            }
            catch (ConfigurationException e)
            {
                throw new UsageException(e.Message);
            }
        }

        var fromEnvironment = ConfigurationFactory.Empty;
        foreach (var (key, variable) in TlsVariables)
        {
            if (_console.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                fromEnvironment = NodeConfig.Set(key, value).WithFallback(fromEnvironment);
            }
        }

        if (_console.GetEnvironmentVariable(TlsCertificateEnvironmentVariable) is { Length: > 0 })
        {
            fromEnvironment = ConfigurationFactory.ParseString("scheduler.tls.enabled = on").WithFallback(fromEnvironment);
            origin = configFile is null ? "SCHEDULER_TLS_* variables" : $"{configFile} and SCHEDULER_TLS_* variables";
        }

        try
        {
            return TlsSettings.Create(fromEnvironment.WithFallback(config), origin);
        }
        catch (SettingsException e)
        {
            throw new UsageException(e.Message);
        }
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
        catch (SettingsException e)
        {
            // The TLS files named in the settings: missing, wrong password, expired, or not issued by the CA.
            throw new UsageException(e.Message);
        }
    }
}
