using Scheduler.Client;
using Xunit;

namespace Scheduler.Cli.Tests;

public sealed class DurationsSpecs
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    public void TryParse_should_read_durations_people_write(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.TryParse(text, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("0s")]
    [InlineData("5 minutes")]
    [InlineData("1e3ms")]
    public void TryParse_should_refuse_anything_else_with_a_reason(string text)
    {
        Assert.Null(Durations.TryParse(text, out var problem));
        Assert.Equal($"'{text}' is not a duration (expected e.g. 500ms, 30s, 5m, 1h)", problem);
    }

    [Theory]
    [InlineData(5_000, "5s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(500, "500ms")]
    [InlineData(120_000, "2m")]
    [InlineData(90_000, "90s")]
    [InlineData(7_200_000, "2h")]
    public void Format_should_write_the_shortest_exact_text(long milliseconds, string text) =>
        Assert.Equal(text, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
