using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Tests;

public sealed class TaskIdsEdgeSpecs
{
    [Fact]
    public void Problem_should_reject_an_id_ending_in_a_newline() =>
        Assert.NotNull(TaskIds.Problem("a\n"));
}
