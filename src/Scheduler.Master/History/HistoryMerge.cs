using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;

namespace Scheduler.Master.History;

/// <summary>
/// A history answer from two sources: the open tasks of the state (viewed as they are now, e.g. Unknown while
/// their agent is unreachable) and the settled tasks of the table. Newest first by sequence; a task in both (written
/// to the table, not yet let go by the state) appears once, as the state shows it.
/// </summary>
public static class HistoryMerge
{
    public static IReadOnlyList<TaskView> Newest(
        IReadOnlyList<(long Sequence, TaskView View)> open, IEnumerable<TaskEntry> stored, int limit)
    {
        var openIds = open.Select(o => o.View.TaskId).ToHashSet();
        return open
            .Concat(stored.Where(t => !openIds.Contains(t.Spec.TaskId)).Select(t => (t.Sequence, View: t.ToView(agentReachable: true))))
            .OrderByDescending(e => e.Sequence)
            .Take(limit)
            .Select(e => e.View)
            .ToList();
    }
}
