using Akka.Configuration;
using Scheduler.Core.Configuration;
using Scheduler.Core.Database;

namespace Scheduler.Master.Tests;

public sealed class MasterSettingsSpecs
{
    [Fact]
    public void Defaults_should_be_the_documented_ones()
    {
        var settings = MasterSettings.Create(ConfigurationFactory.Empty);

        Assert.Equal(Path.GetFullPath("./data/master"), settings.DataDir);
        Assert.Equal(JournalKind.Sqlite, settings.JournalKind);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), (settings.HeartbeatInterval, settings.UnreachableAfter));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), (settings.OutboxResendInterval, settings.LogCopyInterval));
        Assert.Equal(64_000, settings.LogChunkBytes);
        Assert.Equal(TimeSpan.FromSeconds(330), settings.LostAfter);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.DbRetryInterval);
        Assert.Equal(DatabaseGiveUp.Auto, settings.DbGiveUpAfter);
    }

    [Fact]
    public void PostgreSQL_journal_should_take_the_connection_string()
    {
        var settings = MasterSettings.Create(ConfigurationFactory.ParseString("""
            scheduler.master.journal { kind = postgresql, connection-string = "Host=db;Database=scheduler" }
            scheduler.master.db { retry-interval = 5s, give-up-after = infinite }
            """));

        Assert.Equal((JournalKind.PostgreSql, "postgresql"), (settings.JournalKind, settings.JournalKindName));
        Assert.Equal("Host=db;Database=scheduler", settings.ConnectionString);
        Assert.Equal(new DatabaseGiveUp(null, IsAuto: false), settings.DbGiveUpAfter);
    }

    [Theory]
    [InlineData("10m")]
    [InlineData("infinite")]
    [InlineData("auto")]
    public void A_single_master_should_allow_any_give_up_after(string value) =>
        MasterSettings.Create(ConfigurationFactory.ParseString($"scheduler.master.db.give-up-after = {value}"));

    [Fact]
    public void A_cluster_of_several_masters_should_refuse_a_give_up_after_over_120s()
    {
        const string seeds = "akka.cluster.seed-nodes = [\"akka.tcp://scheduler@m1:4053\", \"akka.tcp://scheduler@m2:4053\"]\n";
        var e = Assert.Throws<SettingsException>(() =>
            MasterSettings.Create(ConfigurationFactory.ParseString(seeds + "scheduler.master.db.give-up-after = infinite"), "ha.conf"));

        Assert.Equal("ha.conf: scheduler.master.db.give-up-after = infinite is invalid; expected auto or at most 2m in a cluster of several "
            + "masters (akka.cluster.seed-nodes names 2): another master must be able to take over", e.Message);
        Assert.Equal(TimeSpan.FromSeconds(90),
            MasterSettings.Create(ConfigurationFactory.ParseString(seeds + "scheduler.master.db.give-up-after = 90s")).DbGiveUpAfter.After);
    }

    [Theory]
    [InlineData("scheduler.master.journal.kind = oracle", "master.conf: scheduler.master.journal.kind = oracle is invalid; expected sqlite or postgresql")]
    [InlineData("scheduler.master.journal.kind = postgresql", "master.conf: scheduler.master.journal.connection-string =  is invalid; expected a non-empty string")]
    [InlineData("scheduler.master.db.retry-interval = soon", "master.conf: scheduler.master.db.retry-interval = soon is invalid; expected a duration such as 500ms, 10s or 5m")]
    [InlineData("scheduler.master.db.give-up-after = never", "master.conf: scheduler.master.db.give-up-after = never is invalid; expected a duration such as 10s or 5m, or infinite")]
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
