using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>
/// The tasks of an agent journal that are accepted and not final, folded over its events in order:
/// after an agent restart their supervisors are re-created to find orphans or re-attach.
/// </summary>
public static class OpenTasks
{
    public static HashSet<string> Fold(HashSet<string> open, ITaskEvent e)
    {
        if (e is TaskAccepted)
        {
            open.Add(e.TaskId);
        }
        else if (TaskOutcome.Of(e) is not null)
        {
            open.Remove(e.TaskId);
        }

        return open;
    }
}
