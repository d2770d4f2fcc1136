using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>
/// Which tasks an agent may propose to release (delete from its journal, with their log files): final, every
/// event of theirs adopted by the Master, and ended longer ago than the retention. The Master still confirms
/// each one (it must hold the whole log) before the agent deletes anything.
/// </summary>
public sealed class ReleasePlan
{
    private readonly Dictionary<string, (long LastOffset, DateTimeOffset? EndedAt)> _tasks = new();

    /// <summary>Folds one event of the agent's journal, in journal order.</summary>
    public ReleasePlan Add(long offset, ITaskEvent e)
    {
        var ended = TaskOutcome.Of(e)?.At;
        _tasks[e.TaskId] = (offset, ended ?? (_tasks.TryGetValue(e.TaskId, out var t) ? t.EndedAt : null));
        return this;
    }

    /// <summary>At most <paramref name="max"/> task ids, oldest events first.</summary>
    public IReadOnlyList<string> Candidates(long adoptedOffset, DateTimeOffset now, TimeSpan retention, int max) =>
        _tasks
            .Where(t => t.Value.EndedAt is { } ended && ended + retention <= now && t.Value.LastOffset <= adoptedOffset)
            .OrderBy(t => t.Value.LastOffset)
            .Take(max)
            .Select(t => t.Key)
            .ToList();
}
