using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Master.Tests;

public sealed class MasterSettingsSpecs
{
    [Fact]
    public void Defaults_should_be_the_documented_ones()
    {
        var settings = MasterSettings.Create(ConfigurationFactory.Empty);

        Assert.Equal(Path.GetFullPath("./data/master"), settings.DataDir);
        Assert.Equal("sqlite", settings.JournalKind);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), (settings.HeartbeatInterval, settings.UnreachableAfter));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), (settings.OutboxResendInterval, settings.LogCopyInterval));
        Assert.Equal(64_000, settings.LogChunkBytes);
        Assert.Equal(TimeSpan.FromSeconds(330), settings.LostAfter);
    }

    [Theory]
    [InlineData("scheduler.master.journal.kind = oracle", "master.conf: scheduler.master.journal.kind = oracle is invalid; expected sqlite")]
    [InlineData("scheduler.master.log-chunk-bytes = 100000", "master.conf: scheduler.master.log-chunk-bytes = 100000 is invalid; expected a whole number from 1000 to 90000")]
    [InlineData("scheduler.heartbeat-interval = 0s", "master.conf: scheduler.heartbeat-interval = 0s is invalid; expected a duration such as 500ms, 10s or 5m")]
    [InlineData("scheduler.master.lost-after = 5s", "master.conf: scheduler.master.lost-after = 5s is invalid; expected a duration longer than scheduler.unreachable-after (5s)")]
    public void Bad_values_should_fail_with_one_line_naming_file_and_key(string hocon, string message) =>
        Assert.Equal(message, Assert.Throws<SettingsException>(() => MasterSettings.Create(ConfigurationFactory.ParseString(hocon), "master.conf")).Message);

    [Fact]
    public void Lost_after_not_longer_than_the_agent_window_plus_grace_should_be_refused()
    {
        var settings = MasterSettings.Create(ConfigurationFactory.ParseString("scheduler.master.lost-after = 90s"));

        var e = Assert.Throws<SettingsException>(() =>
            settings.CheckedAgainstAgentWindow(TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(10), "standalone.conf"));

        Assert.Equal("standalone.conf: scheduler.master.lost-after = 90s is invalid; expected a duration longer than "
            + "scheduler.agent.reconnect-window + scheduler.agent.kill-grace (90s)", e.Message);
        Assert.Same(settings, settings.CheckedAgainstAgentWindow(TimeSpan.FromSeconds(79), TimeSpan.FromSeconds(10), "standalone.conf"));
        Assert.Same(settings, settings.CheckedAgainstAgentWindow(null, TimeSpan.FromSeconds(10), "standalone.conf"));
    }
}
