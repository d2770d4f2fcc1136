using System.CommandLine;
using System.CommandLine.Parsing;
using Scheduler.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler submit --agent NAME [--id ID] [--timeout 30s] [--env K=V]… [--cwd DIR] -- EXECUTABLE [ARGS…]</c></summary>
public static class SubmitCommand
{
    public static Command Create(CliConsole console) => Create(console, new SubmitOptions());

    public static Command Create(CliConsole console, SubmitOptions options)
    {
        var client = new ClientCommandOptions(console);
        var command = new Command("submit", "Run a command on an agent; prints the task id")
        {
            options.Agent,
            options.Id,
            options.Timeout,
            options.Env,
            options.Cwd,
            options.Command,
        };
        client.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var (agent, spec) = options.Read(parse);
            return client.RunAsync(parse, async (scheduler, output) =>
            {
                output.Submitted(await scheduler.SubmitAsync(agent, spec, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>Reads <c>K=V</c> pairs; throws <see cref="UsageException"/> on a malformed or repeated one.</summary>
    public static IReadOnlyDictionary<string, string> ParseEnvironment(IEnumerable<string> pairs)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            if (EnvironmentProblem(pair) is { } problem)
            {
                throw new UsageException(problem);
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = pair[..equals];
            if (!environment.TryAdd(key, pair[(equals + 1)..]))
            {
                throw new UsageException($"--env: '{key}' is given more than once");
            }
        }

        return environment;
    }

    /// <summary>Null when <paramref name="pair"/> is a valid <c>K=V</c>, else the reason.</summary>
    public static string? EnvironmentProblem(string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? $"--env: '{pair}' is not K=V"
            : equals == 0 ? $"--env: '{pair}' has no variable name before '='"
            : pair[..equals].Any(c => char.IsWhiteSpace(c) || c == '\0') ? $"--env: '{pair[..equals]}' is not a valid variable name"
            : null;
    }

    public sealed class SubmitOptions
    {
        public Option<string> Agent { get; } = new("--agent")
        {
            Description = "The agent to run the task on",
            HelpName = "NAME",
            Required = true,
        };

        public Option<string> Id { get; } = new("--id")
        {
            Description = "The task id (default: a new one); submitting an id again is refused",
            HelpName = "TASK_ID",
        };

        public Option<TimeSpan?> Timeout { get; } = new("--timeout")
        {
            Description = "Kill the task after this long, e.g. 500ms, 30s, 5m, 1h",
            HelpName = "DURATION",
            CustomParser = ParseDuration,
        };

        public Option<string[]> Env { get; } = new("--env")
        {
            Description = "An environment variable for the task; repeat for several",
            HelpName = "K=V",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<string> Cwd { get; } = new("--cwd")
        {
            Description = "The working directory of the task on the agent",
            HelpName = "DIR",
        };

        public Argument<string[]> Command { get; } = new("command")
        {
            Description = "After '--': the executable and its arguments, passed verbatim (no shell)",
            HelpName = "EXECUTABLE [ARGS…]",
            Arity = ArgumentArity.OneOrMore,
        };

        public SubmitOptions()
        {
            Env.Validators.Add(result =>
            {
                foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
                {
                    if (EnvironmentProblem(pair) is { } problem)
                    {
                        result.AddError(problem);
                    }
                }
            });
        }

        /// <summary>The agent and the task spec the command line describes; <see cref="UsageException"/> when invalid.</summary>
        public (string Agent, TaskSpec Spec) Read(ParseResult parse)
        {
            var agent = parse.GetRequiredValue(Agent);
            if (TaskIds.Problem(agent, "agent name") is { } agentProblem)
            {
                throw new UsageException(agentProblem);
            }

            var id = parse.GetValue(Id) ?? TaskIds.New();
            if (TaskIds.Problem(id) is { } idProblem)
            {
                throw new UsageException(idProblem);
            }

            var command = parse.GetValue(Command) ?? [];
            if (command.Length == 0 || command[0].Length == 0)
            {
                throw new UsageException("no command given: put it after '--', e.g. scheduler submit --agent local -- echo hello");
            }

            var spec = new TaskSpec(
                id,
                command,
                parse.GetValue(Cwd),
                ParseEnvironment(parse.GetValue(Env) ?? []),
                parse.GetValue(Timeout));
            return (agent, spec);
        }

        private static TimeSpan? ParseDuration(ArgumentResult result)
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            var duration = Durations.TryParse(text, out var problem);
            if (duration is null)
            {
                result.AddError($"--timeout: {problem}");
            }

            return duration;
        }
    }
}
