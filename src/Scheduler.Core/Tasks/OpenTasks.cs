using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>
/// The tasks of an agent journal that are not final, by the last event of each: after an agent restart their
/// supervisors are re-created to find orphans or re-attach. Only the last event is needed (a task's final event is
/// its last but for an output truncation noted late; such a task's supervisor replays, finds it final and does nothing).
/// </summary>
public static class OpenTasks
{
    public static HashSet<string> Of(IEnumerable<ITaskEvent> lastEventOfEachTask) =>
        [.. lastEventOfEachTask.Where(e => TaskOutcome.Of(e) is null).Select(e => e.TaskId)];
}
