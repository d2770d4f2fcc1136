using Scheduler.Core.Database;

namespace Scheduler.Core.Tests;

public sealed class DatabaseOutageSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Attempts_should_be_numbered_and_each_failure_should_set_the_next_one_a_retry_interval_later()
    {
        var outage = DatabaseOutage.Began(T0, "connection refused", Minute);
        Assert.Equal("database unavailable since 2026-11-29 10:00:00Z (0ms), first attempt at 10:01:00: connection refused", outage.Describe(T0));

        outage = outage.AttemptStarted();
        Assert.Equal("database unavailable since 2026-11-29 10:00:00Z (1m0s), attempt 1 in progress: connection refused",
            outage.Describe(T0 + Minute));

        outage = outage.AttemptFailed(T0 + Minute + TimeSpan.FromSeconds(5), "timeout", Minute);
        Assert.Equal((1, T0 + TimeSpan.FromSeconds(125), "timeout"), (outage.Attempts, outage.NextAttemptAt, outage.Error));
        Assert.Equal("database unavailable since 2026-11-29 10:00:00Z (1m10s), attempt 1 failed, next at 10:02:05: timeout",
            outage.Describe(T0 + TimeSpan.FromSeconds(70)));
        Assert.Equal(T0, outage.Since);
    }

    [Theory]
    [InlineData(null, true, false, null)] // auto, alone: never
    [InlineData(null, true, true, 120)] // auto with other masters up: the cluster maximum
    [InlineData(600, false, false, 600)] // a single master may wait longer
    [InlineData(600, false, true, 120)] // capped in a cluster
    [InlineData(30, false, true, 30)]
    [InlineData(null, false, false, null)] // infinite
    [InlineData(null, false, true, 120)] // infinite is capped too: the last master up is the only one never giving up
    public void Give_up_limit_should_depend_on_whether_another_master_is_up(int? afterSeconds, bool auto, bool othersUp, int? expectedSeconds)
    {
        var giveUp = new DatabaseGiveUp(afterSeconds is { } s ? TimeSpan.FromSeconds(s) : null, auto);

        Assert.Equal(expectedSeconds is { } e ? TimeSpan.FromSeconds(e) : null, giveUp.Limit(othersUp));
    }

    [Fact]
    public void Past_the_limit_should_be_measured_from_the_start_of_the_outage()
    {
        var outage = DatabaseOutage.Began(T0, "down", Minute).AttemptStarted().AttemptFailed(T0 + Minute, "down", Minute);

        Assert.False(outage.IsPastLimit(T0 + TimeSpan.FromSeconds(119), TimeSpan.FromSeconds(120)));
        Assert.True(outage.IsPastLimit(T0 + TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(120)));
        Assert.False(outage.IsPastLimit(T0 + TimeSpan.FromDays(30), null));
    }
}
