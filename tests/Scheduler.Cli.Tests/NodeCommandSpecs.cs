using Scheduler.Cli.Commands;
using Scheduler.Hosting;
using Xunit;

namespace Scheduler.Cli.Tests;

public sealed class NodeCommandSpecs
{
    [Fact]
    public async Task RunAsync_should_exit_2_with_the_one_line_of_a_ConfigurationException()
    {
        var console = new TestConsole();

        var exitCode = await NodeCommands.RunAsync(
            console.Console,
            () => throw new ConfigurationException("master.conf: scheduler.heartbeat-interval must be a duration like 1s", new FormatException("inner")),
            node => node.Description);

        Assert.Equal(2, exitCode);
        Assert.Equal(["error: master.conf: scheduler.heartbeat-interval must be a duration like 1s"], console.ErrorLines);
        Assert.Equal("", console.Out.ToString());
    }

    [Fact]
    public async Task RunAsync_should_print_the_start_line_and_exit_1_when_the_node_stops_on_its_own()
    {
        var console = new TestConsole();
        var folder = Directory.CreateTempSubdirectory("scheduler-cli-");
        try
        {
            var node = await SchedulerNodes.StartMasterAsync(new NodeOptions(DataDir: folder.FullName, Port: 0));

            var running = NodeCommands.RunAsync(console.Console, () => Task.FromResult(node), n => "node running");
            await node.Systems[0].Terminate();
            var exitCode = await running.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(1, exitCode);
            Assert.Equal(["node running", $"error: {node.Description} stopped on its own"], console.ErrorLines);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ExistingConfig_should_name_a_missing_file()
    {
        var folder = Directory.CreateTempSubdirectory("scheduler-cli-");
        try
        {
            var present = Path.Combine(folder.FullName, "agent.conf");
            File.WriteAllText(present, "scheduler {}");
            var missing = Path.Combine(folder.FullName, "nope.conf");

            Assert.Equal(present, NodeCommands.ExistingConfig(present));
            Assert.Null(NodeCommands.ExistingConfig(null));
            Assert.Equal($"config file '{missing}' not found", Assert.Throws<UsageException>(() => NodeCommands.ExistingConfig(missing)).Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Agent_should_refuse_an_invalid_name_as_a_usage_error()
    {
        var console = new TestConsole();

        var exitCode = await SchedulerCli.RunAsync(["agent", "--name", "a b"], console.Console);

        Assert.Equal(2, exitCode);
        Assert.Equal(["error: agent name 'a b' may contain only letters, digits, '.', '_' and '-' and must start with a letter or digit"], console.ErrorLines);
    }

    [Fact]
    public async Task Master_should_refuse_a_seed_that_is_not_host_and_port_as_a_usage_error()
    {
        var console = new TestConsole();

        var exitCode = await SchedulerCli.RunAsync(["master", "--seed", "db-host"], console.Console);

        Assert.Equal(2, exitCode);
        Assert.Single(console.ErrorLines, line => line.StartsWith("error: --seed: ", StringComparison.Ordinal) && line.Contains("db-host"));
    }
}
