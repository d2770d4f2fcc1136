using Scheduler.Contracts.Jobs;
using Scheduler.Core.Jobs;

namespace Scheduler.Core.Tests.Jobs;

public sealed class MisfireSpecs
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly JobSchedule Every10s = new IntervalSchedule(TimeSpan.FromSeconds(10));

    [Fact]
    public void A_fire_time_not_reached_should_fire_nothing()
    {
        var decision = Misfire.Decide(Every10s, T0, due: T0.AddSeconds(10), now: T0.AddSeconds(5), MisfirePolicy.FireOnce);

        Assert.Empty(decision.FireNow);
        Assert.Equal(T0.AddSeconds(10), decision.Next);
    }

    [Theory]
    [InlineData(MisfirePolicy.FireOnce)]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.FireAll)]
    public void A_fire_time_reached_within_the_tolerance_should_fire_under_every_policy(MisfirePolicy policy)
    {
        var decision = Misfire.Decide(Every10s, T0, due: T0.AddSeconds(10), now: T0.AddSeconds(11), policy);

        Assert.Equal([T0.AddSeconds(10)], decision.FireNow);
        Assert.Equal(T0.AddSeconds(20), decision.Next);
        Assert.Equal(0, decision.Skipped);
    }

    [Fact]
    public void Missed_fire_times_should_be_handled_by_the_policy()
    {
        // Down from just before T0+10s to T0+105s: ten fire times missed (T0+10s … T0+100s).
        var now = T0.AddSeconds(105);
        var due = T0.AddSeconds(10);

        var once = Misfire.Decide(Every10s, T0, due, now, MisfirePolicy.FireOnce);
        Assert.Equal([now], once.FireNow);
        Assert.Equal(9, once.Skipped);

        var skip = Misfire.Decide(Every10s, T0, due, now, MisfirePolicy.Skip);
        Assert.Equal((0, 10), (skip.FireNow.Count, skip.Skipped));

        var all = Misfire.Decide(Every10s, T0, due, now, MisfirePolicy.FireAll);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => T0.AddSeconds(10 * i)), all.FireNow);
        Assert.Equal(0, all.Skipped);

        Assert.All(new[] { once, skip, all }, d => Assert.Equal(T0.AddSeconds(110), d.Next));
    }

    [Fact]
    public void A_single_fire_time_missed_by_more_than_the_tolerance_is_a_misfire()
    {
        var hourly = new CronSchedule("0 0 * * * *", TimeZoneInfo.Utc, Cronos.CronExpression.Parse("0 0 * * * *", Cronos.CronFormat.IncludeSeconds));
        var now = T0.AddMinutes(2);

        Assert.Equal([now], Misfire.Decide(hourly, T0, T0, now, MisfirePolicy.FireOnce).FireNow);
        Assert.Empty(Misfire.Decide(hourly, T0, T0, now, MisfirePolicy.Skip).FireNow);
        Assert.Equal([T0], Misfire.Decide(hourly, T0, T0, now, MisfirePolicy.FireAll).FireNow);
        Assert.Equal(T0.AddHours(1), Misfire.Decide(hourly, T0, T0, now, MisfirePolicy.Skip).Next);
    }

    [Fact]
    public void Fire_all_should_be_bounded_and_a_long_outage_of_a_per_second_job_should_not_be_listed()
    {
        var perSecond = new CronSchedule("* * * * * *", TimeZoneInfo.Utc, Cronos.CronExpression.Parse("* * * * * *", Cronos.CronFormat.IncludeSeconds));
        var now = T0.AddDays(1);

        var all = Misfire.Decide(perSecond, T0, T0, now, MisfirePolicy.FireAll);

        Assert.Equal(Misfire.FireAllLimit, all.FireNow.Count);
        Assert.Equal(T0, all.FireNow[0]);
        Assert.True(all.MoreMissed);
        Assert.Equal(now.AddSeconds(1), all.Next);
    }

    [Fact]
    public void A_missed_one_time_job_should_fire_once_or_not_at_all_and_then_never_again()
    {
        var once = new OneTimeSchedule(T0);
        var now = T0.AddHours(1);

        var fired = Misfire.Decide(once, T0, T0, now, MisfirePolicy.FireOnce);
        Assert.Equal([now], fired.FireNow);
        Assert.Null(fired.Next);
        Assert.Empty(Misfire.Decide(once, T0, T0, now, MisfirePolicy.Skip).FireNow);
    }
}
