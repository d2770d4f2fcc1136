namespace Scheduler.Contracts.Tasks;

/// <summary>The states a task shows to users. The order of members is never changed (it is written by name).</summary>
public enum TaskState
{
    /// <summary>Accepted by the Master, not yet reported started by its agent.</summary>
    Pending,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Killed,
    /// <summary>The task's outcome cannot be known any more (agent restarted, journal replaced, deadline passed).</summary>
    Lost,
    /// <summary>The task was running when its agent became unreachable.</summary>
    Unknown,
}

public static class TaskStates
{
    public static bool IsFinal(this TaskState state) =>
        state is TaskState.Succeeded or TaskState.Failed or TaskState.TimedOut or TaskState.Killed or TaskState.Lost;
}
