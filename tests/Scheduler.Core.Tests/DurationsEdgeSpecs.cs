using Scheduler.Core.Configuration;

namespace Scheduler.Core.Tests;

public sealed class DurationsEdgeSpecs
{
    [Fact]
    public void TryParse_should_refuse_a_duration_beyond_TimeSpan_without_throwing() =>
        Assert.False(Durations.TryParse("99999999999d", out _));
}
