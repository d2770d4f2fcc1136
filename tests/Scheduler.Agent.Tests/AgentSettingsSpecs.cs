using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Agent.Tests;

public sealed class AgentSettingsSpecs
{
    private static AgentSettings Create(string hocon) =>
        AgentSettings.Create(ConfigurationFactory.ParseString("scheduler.agent.name = a1\n" + hocon), "agent.conf");

    [Fact]
    public void Defaults_should_be_the_documented_ones()
    {
        var settings = Create("");

        Assert.Equal(("a1", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), (settings.Name, settings.HeartbeatInterval, settings.UnreachableAfter));
        Assert.Equal(TimeSpan.FromMinutes(5), settings.ReconnectWindow);
        Assert.Equal(TimeSpan.FromSeconds(4), settings.FindMasterAfter);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.KillGrace);
        Assert.Equal(["127.0.0.1:4053"], settings.Masters);
        Assert.Empty(settings.Labels);
        Assert.Equal(Path.GetFullPath("./data/agent"), settings.DataDir);
        Assert.Equal(Path.Combine(settings.DataDir, "journal.db"), settings.JournalPath);
        Assert.Equal(96_000, settings.ReplayBatchBytes);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.ReplayPollInterval); // a backstop: new events are forwarded on commit
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromMinutes(10)), (settings.Retention, settings.ReleaseInterval));
    }

    [Fact]
    public void Retention_should_accept_infinite() =>
        Assert.Null(Create("scheduler.agent.retention = infinite").Retention);

    [Fact]
    public void Reconnect_window_should_accept_infinite() =>
        Assert.Null(Create("scheduler.agent.reconnect-window = infinite").ReconnectWindow);

    [Theory]
    [InlineData("scheduler.agent.kill-grace = soon", "agent.conf: scheduler.agent.kill-grace = soon is invalid; expected a duration such as 500ms, 10s or 5m")]
    [InlineData("scheduler.agent.masters = [\"nohost\"]", "agent.conf: scheduler.agent.masters = [nohost] is invalid; expected a non-empty list of \"HOST:PORT\"")]
    [InlineData("scheduler.unreachable-after = 1s", "agent.conf: scheduler.unreachable-after = 1s is invalid; expected a duration longer than scheduler.heartbeat-interval (1s)")]
    [InlineData("scheduler.agent.find-master-after = 500ms", "agent.conf: scheduler.agent.find-master-after = 500ms is invalid; expected a duration longer than scheduler.heartbeat-interval (1s)")]
    [InlineData("scheduler.agent.reconnect-window = 2s", "agent.conf: scheduler.agent.reconnect-window = 2s is invalid; expected infinite or a duration longer than scheduler.unreachable-after (5s)")]
    [InlineData("scheduler.agent.name = \"../x\"", "agent.conf: scheduler.agent.name: agent name '../x' may contain only letters, digits, '.', '_' and '-' and must start with a letter or digit")]
    public void Bad_values_should_fail_with_one_line_naming_file_and_key(string hocon, string message) =>
        Assert.Equal(message, Assert.Throws<SettingsException>(() => Create(hocon)).Message);
}
