using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;

namespace Scheduler.Cli.Tests;

/// <summary>An agent's name comes from <c>--name</c> or, without it, from <c>scheduler.agent.name</c> in its <c>--config</c> file.</summary>
public sealed partial class AgentNameSpecs : IAsyncLifetime
{
    private readonly MasterAndAgent _nodes = new("by-option");

    public Task InitializeAsync() => _nodes.StartAsync("");

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [GeneratedRegex("agent at .* running")]
    private static partial Regex AgentStarted();

    [Fact]
    public async Task An_agent_without_name_option_should_take_the_name_of_its_config_file()
    {
        var config = Path.Combine(_nodes.Root, "named.conf");
        await File.WriteAllTextAsync(config, "scheduler.agent.name = by-file\n");

        var (agent, _) = await NodeProcess.StartAsync("agent by-file", AgentStarted(),
            "agent", "--config", config, "--master", _nodes.MasterAddress, "--data", Path.Combine(_nodes.Root, "by-file"));
        await using (agent)
        {
            await _nodes.WaitForAgentAsync("Connected", "by-file");
        }
    }

    [Fact]
    public async Task An_agent_without_any_name_should_stop_with_the_key_to_set()
    {
        var (code, _, error) = await _nodes.CliAsync("agent", "--master", _nodes.MasterAddress, "--data", Path.Combine(_nodes.Root, "nameless"));

        Assert.Equal((2, "error: the agent needs a name: give --name NAME, or set scheduler.agent.name in the --config file"), (code, error.TrimEnd('\n')));
    }
}
