using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

public sealed class ReleasePlanSpecs
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private static ReleasePlan Plan() => new ReleasePlan()
        .Add(1, new TaskAccepted("old", Spec("old"), T0))
        .Add(2, new TaskAccepted("running", Spec("running"), T0))
        .Add(3, new TaskExited("old", 0, T0.AddMinutes(1)))
        .Add(4, new TaskAccepted("recent", Spec("recent"), T0))
        .Add(5, new TaskKilled("recent", "killed on request", 143, T0.AddDays(6)))
        .Add(6, new TaskAccepted("late", Spec("late"), T0))
        .Add(7, new TaskLost("late", "agent restarted", T0.AddMinutes(2)));

    [Fact]
    public void Only_final_adopted_tasks_past_the_retention_should_be_candidates()
    {
        var now = T0.AddDays(7).AddMinutes(5);

        Assert.Equal(["old", "late"], Plan().Candidates(adoptedOffset: 7, now, Retention, max: 10));
        Assert.Equal(["old"], Plan().Candidates(adoptedOffset: 6, now, Retention, max: 10)); // "late" ended after the cursor
        Assert.Empty(Plan().Candidates(adoptedOffset: 2, now, Retention, max: 10));
        Assert.Equal(["old", "recent", "late"], Plan().Candidates(7, T0.AddDays(14), Retention, 10));
        Assert.Equal(["old"], Plan().Candidates(7, T0.AddDays(14), Retention, max: 1));
    }
}
