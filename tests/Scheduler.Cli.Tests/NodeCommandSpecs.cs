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

    [Fact]
    public async Task Malformed_HOCON_an_invalid_duration_and_a_corrupt_journal_should_stop_the_start_with_exit_2_and_one_line()
    {
        var folder = Directory.CreateTempSubdirectory("scheduler-bad-start-");
        try
        {
            var malformed = Path.Combine(folder.FullName, "malformed.conf");
            var duration = Path.Combine(folder.FullName, "duration.conf");
            await File.WriteAllTextAsync(malformed, "scheduler.agent {\n  kill-grace = 5s\n");
            await File.WriteAllTextAsync(duration, "scheduler.agent.kill-grace = 5 parsecs\n");
            var data = Path.Combine(folder.FullName, "agent");
            Directory.CreateDirectory(data);
            await File.WriteAllTextAsync(Path.Combine(data, "journal.db"), "not a database, but someone's notes\n");

            var results = new List<(int ExitCode, string[] Errors)>();
            foreach (var args in new[]
                     {
                         ["agent", "--name", "a1", "--config", malformed, "--data", data],
                         ["agent", "--name", "a1", "--config", duration, "--data", data],
                         new[] { "agent", "--name", "a1", "--data", data, "--master", "127.0.0.1:9" },
                     })
            {
                var console = new TestConsole();
                results.Add((await SchedulerCli.RunAsync(args, console.Console), console.ErrorLines));
            }

            Assert.All(results, r => Assert.Equal(2, r.ExitCode));
            Assert.Equal([$"error: config file '{malformed}' is not valid HOCON: line 1: '{{' is never closed"], results[0].Errors);
            Assert.Equal([$"error: {duration}: scheduler.agent.kill-grace = 5 parsecs is invalid; expected a duration such as 500ms, 10s or 5m"],
                results[1].Errors);
            Assert.Equal([$"error: journal file '{Path.Combine(data, "journal.db")}' is not a SQLite database (corrupt, or another program's file); "
                          + "the node leaves it untouched: restore a backup, or move it aside to start with an empty journal"], results[2].Errors);
            Assert.Equal("not a database, but someone's notes\n", await File.ReadAllTextAsync(Path.Combine(data, "journal.db")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
