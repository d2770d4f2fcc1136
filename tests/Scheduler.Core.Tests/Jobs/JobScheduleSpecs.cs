using Scheduler.Contracts.Jobs;
using Scheduler.Core.Jobs;

namespace Scheduler.Core.Tests.Jobs;

public sealed class JobScheduleSpecs
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 4, 10, 0, 0, TimeSpan.Zero);

    private static JobSchedule Schedule(JobScheduleSpec spec) =>
        JobSchedule.From(spec) is ({ } schedule, null) ? schedule : throw new InvalidOperationException(JobSchedule.From(spec).Problem);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Cron_with_six_fields_should_count_seconds_and_five_fields_should_start_with_minutes()
    {
        Assert.Equal(T0.AddSeconds(2), Schedule(new JobScheduleSpec("*/2 * * * * *")).NextAfter(T0, T0));
        Assert.Equal(T0.AddMinutes(30), Schedule(new JobScheduleSpec("30 * * * *")).NextAfter(T0, T0));
        Assert.Equal("cron */2 * * * * * (UTC)", Schedule(new JobScheduleSpec("*/2 * * * * *")).Describe());
    }

    [Fact]
    public void Cron_in_a_time_zone_should_fire_once_at_the_end_of_a_skipped_hour_and_once_in_a_repeated_hour()
    {
        var daily = Schedule(new JobScheduleSpec("0 30 2 * * *", "Europe/Berlin"));

        // 2027-03-28: clocks go from 02:00 to 03:00 CEST; 02:30 does not exist, the run comes when the gap ends.
        Assert.Equal(Utc("2027-03-28T01:00:00Z"), daily.NextAfter(Utc("2027-03-27T12:00:00Z"), T0));
        // 2027-10-31: 02:30 happens twice (CEST, then CET); a daily job runs at the first one only.
        var first = daily.NextAfter(Utc("2027-10-30T12:00:00Z"), T0)!.Value;
        Assert.Equal(Utc("2027-10-31T00:30:00Z"), first);
        Assert.Equal(Utc("2027-11-01T01:30:00Z"), daily.NextAfter(first, T0));
    }

    [Fact]
    public void Interval_should_count_from_when_the_job_was_defined()
    {
        var every10s = Schedule(new JobScheduleSpec(Interval: TimeSpan.FromSeconds(10)));

        Assert.Equal(T0.AddSeconds(10), every10s.NextAfter(T0.AddHours(-1), T0));
        Assert.Equal(T0.AddSeconds(10), every10s.NextAfter(T0, T0));
        Assert.Equal(T0.AddSeconds(30), every10s.NextAfter(T0.AddSeconds(25), T0));
        Assert.Equal(T0.AddSeconds(40), every10s.NextAfter(T0.AddSeconds(30), T0));
    }

    [Fact]
    public void One_time_should_fire_once_and_on_demand_never()
    {
        var once = Schedule(new JobScheduleSpec(At: T0));

        Assert.Equal(T0, once.NextAfter(T0.AddDays(-1), T0.AddDays(-1)));
        Assert.Null(once.NextAfter(T0, T0));
        Assert.Null(Schedule(JobScheduleSpec.OnDemand).NextAfter(T0, T0));
        Assert.Equal("on demand", Schedule(JobScheduleSpec.OnDemand).Describe());
    }

    [Theory]
    [InlineData("* * *", null, "'* * *' is not a cron expression")]
    [InlineData("61 * * * * *", null, "'61 * * * * *' is not a cron expression")]
    [InlineData("* * * * *", "Mars/Olympus", "unknown time zone 'Mars/Olympus'")]
    public void Invalid_cron_and_time_zone_should_be_named(string cron, string? zone, string expected)
    {
        var (schedule, problem) = JobSchedule.From(new JobScheduleSpec(cron, zone));

        Assert.Null(schedule);
        Assert.StartsWith(expected, problem);
    }

    [Fact]
    public void Several_kinds_a_zone_without_cron_and_a_tiny_interval_should_be_refused()
    {
        Assert.Equal("give one of schedule (cron), interval and at, not several",
            JobSchedule.From(new JobScheduleSpec("* * * * *", Interval: TimeSpan.FromSeconds(5))).Problem);
        Assert.Equal("time-zone applies only to a cron schedule", JobSchedule.From(new JobScheduleSpec(TimeZone: "UTC", Interval: TimeSpan.FromSeconds(5))).Problem);
        Assert.Equal("the interval must be at least 1s", JobSchedule.From(new JobScheduleSpec(Interval: TimeSpan.FromMilliseconds(10))).Problem);
    }
}
