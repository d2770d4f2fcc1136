using Scheduler.Core.Tasks;

namespace Scheduler.Core.Tests;

public sealed class KillKindsSpecs
{
    [Theory]
    [InlineData("killed on request", false, "request")]
    [InlineData("master unreachable for 5m 1s", false, "reconnect-window")]
    [InlineData("anything", true, "reconnect-window")]
    [InlineData("agent stopped", false, "agent-stopped")]
    [InlineData("timed out", false, "other")]
    public void Kill_reasons_should_map_to_few_label_values(string reason, bool byWindow, string kind) =>
        Assert.Equal(kind, KillKinds.Of(reason, byWindow));
}
