using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.Master.History;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

public sealed class HistoryMergeSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static TaskEntry Entry(long sequence, string id, TaskState state) =>
        new(sequence, "a1", TestCluster.Spec(id, ["true"]), state, null, T0, null, null, null, true, null, true);

    [Fact]
    public void Open_and_stored_tasks_should_merge_newest_first_each_once_as_the_state_shows_it_up_to_the_limit()
    {
        // t3 is open and shown Unknown (its agent unreachable); t2 is in both: written to the table, not yet let go.
        (long, TaskView)[] open =
        [
            (3, Entry(3, "t3", TaskState.Running).ToView(agentReachable: false)),
            (2, Entry(2, "t2", TaskState.Succeeded).ToView(agentReachable: true)),
        ];
        TaskEntry[] stored = [Entry(4, "t4", TaskState.Failed), Entry(2, "t2", TaskState.Succeeded), Entry(1, "t1", TaskState.Killed)];

        var merged = HistoryMerge.Newest(open, stored, limit: 3);

        Assert.Equal(["t4", "t3", "t2"], merged.Select(t => t.TaskId));
        Assert.Equal([TaskState.Failed, TaskState.Unknown, TaskState.Succeeded], merged.Select(t => t.State));
        Assert.Equal(["t4", "t3", "t2", "t1"], HistoryMerge.Newest(open, stored, limit: 10).Select(t => t.TaskId));
    }
}
