using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>How a task ended, as the agent's final event says; one mapping for the agent's and the Master's state.</summary>
public sealed record TaskOutcome(TaskState State, int? ExitCode, string? Reason, DateTimeOffset At)
{
    /// <summary>The outcome a final event stands for, or null for an event that does not end the task.</summary>
    public static TaskOutcome? Of(ITaskEvent e) => e switch
    {
        TaskExited x => new(x.ExitCode == 0 ? TaskState.Succeeded : TaskState.Failed, x.ExitCode, null, x.At),
        TaskTimedOut t => new(TaskState.TimedOut, t.ExitCode, $"timed out after {t.Timeout}", t.At),
        TaskKilled k => new(TaskState.Killed, k.ExitCode, k.Reason, k.At),
        TaskFailedToStart f => new(TaskState.Failed, null, f.Error, f.At),
        TaskLost l => new(TaskState.Lost, null, l.Reason, l.At),
        _ => null,
    };
}
