using System.CommandLine;
using System.Runtime.InteropServices;
using Scheduler.Client;
using Scheduler.Hosting;

namespace Scheduler.Cli.Commands;

/// <summary><c>scheduler master</c>, <c>agent</c> and <c>standalone</c>: start a node and run it until SIGTERM/SIGINT.</summary>
public static class NodeCommands
{
    public static Command Master(CliConsole console)
    {
        var config = ConfigOption();
        var data = DataOption("scheduler.master.data-dir, ./data/master");
        var host = HostOption();
        var port = PortOption($"The remoting port (default {SchedulerClientOptions.DefaultMasterPort})");
        var paused = PausedOption();
        var seeds = HostPortsOption("--seed", "HOST:PORT of a master of the cluster; repeat for each, itself included, in the same order on every master (the first forms the cluster)");
        var dashboard = DashboardOption();
        var command = new Command("master", "Run a master node (cluster member hosting the scheduler)") { config, data, host, port, paused, seeds, dashboard };
        command.SetAction(parse =>
        {
            var options = new NodeOptions(
                ConfigFile: ExistingConfig(parse.GetValue(config)),
                DataDir: parse.GetValue(data),
                Host: parse.GetValue(host),
                Port: parse.GetValue(port),
                Paused: parse.GetValue(paused) ? true : null,
                Seeds: parse.GetValue(seeds),
                Dashboard: parse.GetValue(dashboard));
            return RunAsync(console, () => SchedulerNodes.StartMasterAsync(options), node => $"{node.Description} running; stop with Ctrl+C");
        });
        return command;
    }

    public static Command Agent(CliConsole console)
    {
        var name = new Option<string>("--name")
        {
            Description = "The agent's name, the one tasks are submitted to (default: scheduler.agent.name of --config)",
            HelpName = "NAME",
        };
        var config = ConfigOption();
        var data = DataOption("scheduler.agent.data-dir, ./data/agent");
        var masters = HostPortsOption("--master", "HOST:PORT of a master; repeat for several");
        var host = HostOption();
        var port = PortOption("The remoting port masters reach this agent at (default 0: any free port)");
        var labels = new Option<string[]>("--label")
        {
            Description = "A label to register with; repeat for several",
            HelpName = "L",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("agent", "Run an agent node (runs tasks; reaches the masters through ClusterClient)")
        {
            name, config, data, masters, host, port, labels,
        };
        command.SetAction(parse =>
        {
            var agentName = parse.GetValue(name);
            if (agentName is not null && Contracts.Tasks.TaskIds.Problem(agentName, "agent name") is { } problem)
            {
                throw new UsageException(problem);
            }

            if (agentName is null && !NamesAgent(ExistingConfig(parse.GetValue(config))))
            {
                throw new UsageException("the agent needs a name: give --name NAME, or set scheduler.agent.name in the --config file");
            }

            var options = new NodeOptions(
                ConfigFile: ExistingConfig(parse.GetValue(config)),
                DataDir: parse.GetValue(data),
                Host: parse.GetValue(host),
                Port: parse.GetValue(port),
                MasterContacts: parse.GetValue(masters) is { Length: > 0 } given ? given : null,
                AgentName: agentName,
                Labels: parse.GetValue(labels) is { Length: > 0 } l ? l : null);
            return RunAsync(console, () => SchedulerNodes.StartAgentAsync(options), node => $"{node.Description} running; stop with Ctrl+C");
        });
        return command;
    }

    /// <summary>Whether the config file sets <c>scheduler.agent.name</c> (its value is checked when the agent starts).</summary>
    private static bool NamesAgent(string? configFile) =>
        configFile is not null
        && NodeConfig.Load(new NodeOptions(ConfigFile: configFile), Akka.Configuration.ConfigurationFactory.Empty).Config
            .GetString("scheduler.agent.name", "") is { Length: > 0 };

    public static Command Standalone(CliConsole console)
    {
        var config = ConfigOption();
        var data = DataOption("./data: master/ and agent-local/ under it");
        var port = PortOption($"The master's remoting port (default {SchedulerClientOptions.DefaultMasterPort})");
        var paused = PausedOption();
        var dashboard = DashboardOption();
        var command = new Command("standalone", "Run a master and an agent named 'local' in one process") { config, data, port, paused, dashboard };
        command.SetAction(parse =>
        {
            var options = new NodeOptions(
                ConfigFile: ExistingConfig(parse.GetValue(config)),
                DataDir: parse.GetValue(data),
                Port: parse.GetValue(port),
                Paused: parse.GetValue(paused) ? true : null,
                Dashboard: parse.GetValue(dashboard));
            return RunAsync(
                console,
                () => SchedulerNodes.StartStandaloneAsync(options),
                node => $"{node.Description} running; stop with Ctrl+C. Next, in another terminal: scheduler submit{MasterFlag(node)} --agent local -- echo hello");
        });
        return command;
    }

    /// <summary>A repeatable HOST:PORT option; each value is checked like a contact point.</summary>
    private static Option<string[]> HostPortsOption(string name, string description)
    {
        var option = new Option<string[]>(name) { Description = description, HelpName = "HOST:PORT", AllowMultipleArgumentsPerToken = false };
        option.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ContactPoints.Problem(value) is { } problem)
                {
                    result.AddError($"{name}: {problem}");
                }
            }
        });
        return option;
    }

    /// <summary><c>--dashboard URL|off</c>, checked like <c>scheduler.master.dashboard.url</c>.</summary>
    private static Option<string> DashboardOption()
    {
        var option = new Option<string>("--dashboard")
        {
            Description = "Where the web dashboard, its JSON API and /metrics listen: http://ADDRESS:PORT, or off (default scheduler.master.dashboard.url, http://127.0.0.1:8053)",
            HelpName = "URL|off",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && Dashboard.DashboardSettings.Parse(value) is null)
            {
                result.AddError($"--dashboard: '{value}' is not {Dashboard.DashboardSettings.Expected}");
            }
        });
        return option;
    }

    private static Option<bool> PausedOption() => new("--paused")
    {
        Description = "Start paused: recover, couple agents, adopt their history, answer queries, but start no task until `scheduler resume`",
    };

    // Ports left out stay null, so a --config file's port applies; SchedulerNodes defaults them (master 4053, agent 0).

    /// <summary>
    /// Starts the node, prints one line, waits until it has terminated. SIGTERM/SIGINT stop it gracefully
    /// (exit 0); a node that stops on its own exits 1; bad configuration exits 2 with its one-line message.
    /// </summary>
    public static async Task<int> RunAsync(CliConsole console, Func<Task<RunningNode>> start, Func<RunningNode, string> startedLine)
    {
        RunningNode node;
        try
        {
            node = await start().ConfigureAwait(false);
        }
        catch (ConfigurationException e)
        {
            console.Error.WriteLine($"error: {SchedulerCli.OneLine(e.Message)}");
            return ExitCodes.UsageError;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"error: the node could not start: {SchedulerCli.OneLine(e.Message)}");
            return ExitCodes.RequestFailed;
        }

        var stopRequested = 0;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Exchange(ref stopRequested, 1) == 0)
            {
                console.Error.WriteLine($"{context.Signal}: stopping {node.Description}");
                _ = node.StopAsync();
            }
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        console.Error.WriteLine(startedLine(node));
        try
        {
            await node.WhenTerminated.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // An agent whose new incarnation, or a master whose rejoin, could not start (the log has the details).
            console.Error.WriteLine($"error: {node.Description} stopped: {SchedulerCli.OneLine(e.Message)}");
            return ExitCodes.RequestFailed;
        }

        if (Volatile.Read(ref stopRequested) == 0)
        {
            console.Error.WriteLine($"error: {node.Description} stopped on its own");
            return ExitCodes.RequestFailed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The <c>--master</c> a client needs for this node: none on the default port, else its real port (with <c>--port 0</c>, the one it got).</summary>
    private static string MasterFlag(RunningNode node) =>
        SchedulerNodes.Address(node.Master!.System) is var address && address.EndsWith($":{SchedulerClientOptions.DefaultMasterPort}", StringComparison.Ordinal)
            ? ""
            : $" --master {address}";

    /// <summary>The config file path, checked to exist; <see cref="UsageException"/> otherwise.</summary>
    public static string? ExistingConfig(string? path) =>
        path is null || File.Exists(path) ? path : throw new UsageException($"config file '{path}' not found");

    private static Option<string> ConfigOption() =>
        new("--config") { Description = "A HOCON file that may set any scheduler.* or akka.* key", HelpName = "FILE" };

    private static Option<string> DataOption(string byDefault) =>
        new("--data") { Description = $"Where journals and task logs live (default {byDefault})", HelpName = "DIR" };

    private static Option<string> HostOption() =>
        new("--host") { Description = "The host name this node binds and is reached at", HelpName = "H" };

    private static Option<int?> PortOption(string description)
    {
        var port = new Option<int?>("--port") { Description = description, HelpName = "P" };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535");
            }
        });
        return port;
    }
}
