using Akka.Cluster;
using Scheduler.Hosting;

namespace Scheduler.Hosting.Tests;

/// <summary>
/// The fail-over timings a master and an agent ship with (README "Several masters", docs/decisions.md), pinned so that
/// changing one is a decision, and the operator's way to change them: any akka.* key in the --config file.
/// </summary>
public sealed class FailoverTimingSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scheduler-hosting-specs", Guid.NewGuid().ToString("N")[..10]);

    public FailoverTimingSpecs() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Masters_should_detect_down_and_replace_a_crashed_master_with_these_timings()
    {
        var cluster = AkkaHocon.Master("127.0.0.1", 0, TimeSpan.FromMinutes(5)).GetConfig("akka.cluster");

        Assert.Equal(
            (TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250)),
            (cluster.GetTimeSpan("failure-detector.heartbeat-interval"), cluster.GetTimeSpan("failure-detector.acceptable-heartbeat-pause"),
                cluster.GetTimeSpan("unreachable-nodes-reaper-interval"), cluster.GetTimeSpan("leader-actions-interval")));
        Assert.Equal(
            ("keep-majority", "master", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1500)),
            (cluster.GetString("split-brain-resolver.active-strategy"), cluster.GetString("split-brain-resolver.keep-majority.role"),
                cluster.GetTimeSpan("split-brain-resolver.stable-after"), cluster.GetTimeSpan("down-removal-margin")));
    }

    [Fact]
    public void Agents_should_leave_a_master_that_stopped_answering_after_4_seconds_by_their_own_heartbeats()
    {
        // The agent's heartbeats decide (find-master-after); ClusterClient's detector is a backstop with a heartbeat
        // every 10 s, not 1 s: at 1 s it was half of what idle agents cost the master.
        var client = AkkaHocon.Agent("127.0.0.1", 0).GetConfig("akka.cluster.client");
        var agent = Scheduler.Agent.AgentSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("scheduler.agent.name = a1"));

        Assert.Equal(TimeSpan.FromSeconds(4), agent.FindMasterAfter);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)),
            (client.GetTimeSpan("heartbeat-interval"), client.GetTimeSpan("heartbeat-interval") + client.GetTimeSpan("acceptable-heartbeat-pause")));
    }

    [Fact]
    public void Masters_should_keep_Akkas_10_ms_timer_tick_which_a_hand_over_waits_on_and_agents_tick_every_50_ms()
    {
        // 50 ms on masters too cut an idle master's CPU from 2.4 to 1.3 % of a core, but every timer on the hand-over
        // path fired up to a tick later: kill -9 → served went from 9.3 to 10.0-10.2 s (median of 5, target 10 s).
        var akka = Akka.Configuration.ConfigurationFactory.Default();
        var master = AkkaHocon.Master("127.0.0.1", 0, TimeSpan.FromMinutes(5)).WithFallback(akka);
        var agent = AkkaHocon.Agent("127.0.0.1", 0).WithFallback(akka);

        Assert.Equal(TimeSpan.FromMilliseconds(10), master.GetTimeSpan("akka.scheduler.tick-duration"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), agent.GetTimeSpan("akka.scheduler.tick-duration"));
    }

    [Theory]
    [InlineData(4, 1)] // the specs' short lost-after: Akka's 1 s
    [InlineData(90, 3)]
    [InlineData(330, 10)] // the default lost-after
    [InlineData(3600, 10)]
    public void The_remote_watch_of_agents_should_heartbeat_a_thirtieth_of_lost_after_between_1_and_10_seconds(int lostAfterSeconds, int intervalSeconds)
    {
        var remote = AkkaHocon.Master("127.0.0.1", 0, TimeSpan.FromSeconds(lostAfterSeconds)).GetConfig("akka.remote.watch-failure-detector");

        Assert.Equal(TimeSpan.FromSeconds(intervalSeconds), remote.GetTimeSpan("heartbeat-interval"));
        Assert.Equal(TimeSpan.FromSeconds(lostAfterSeconds), remote.GetTimeSpan("acceptable-heartbeat-pause"));
    }

    [Fact]
    public async Task An_akka_key_in_the_config_file_should_win_over_the_shipped_timing()
    {
        var path = Path.Combine(_dir, "master.conf");
        await File.WriteAllTextAsync(path, """
            akka.cluster.split-brain-resolver.stable-after = 7s
            akka.cluster.down-removal-margin = 3s
            """);

        var node = await SchedulerNodes.StartMasterAsync(new NodeOptions(ConfigFile: path, DataDir: Path.Combine(_dir, "m"), Port: 0));
        try
        {
            var system = node.Systems[0];
            Assert.Equal(TimeSpan.FromSeconds(7), system.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
            // What the singleton manager waits for, as the downing provider answers it.
            Assert.Equal(TimeSpan.FromSeconds(3), Cluster.Get(system).DowningProvider.DownRemovalMargin);
        }
        finally
        {
            await node.StopAsync();
        }
    }
}
