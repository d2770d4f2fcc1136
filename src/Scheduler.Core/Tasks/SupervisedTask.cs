using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Tasks;

/// <summary>The process a task runs as, identified beyond its PID (see TaskStarted).</summary>
public sealed record ProcessHandle(int Pid, long StartTicks, string BootId);

/// <summary>What a TaskSupervisorActor should do with a StartTask.</summary>
public enum StartDecision
{
    /// <summary>The task is new: journal TaskAccepted, then start the process.</summary>
    Accept,
    /// <summary>The same task was started before: start nothing, report the current state.</summary>
    AlreadyKnown,
    /// <summary>The id is known with another command: refuse.</summary>
    Conflict,
}

/// <summary>
/// The agent-side state of one task, rebuilt from its journal by <see cref="Apply"/>. Pure: the
/// TaskSupervisorActor asks it what to do and persists the events it is told.
/// </summary>
public sealed record SupervisedTask(
    string TaskId,
    TaskSpec? Spec,
    TaskState State,
    ProcessHandle? Process,
    int? ExitCode,
    string? Reason,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    bool OutputTruncated = false)
{
    public static SupervisedTask Empty(string taskId) => new(taskId, null, TaskState.Pending, null, null, null, null, null);

    /// <summary>No TaskAccepted was journaled yet.</summary>
    public bool IsNew => Spec is null;

    public bool IsFinal => State.IsFinal();

    /// <summary>Accepted, and its process may be alive: after an agent restart it must be checked.</summary>
    public bool MayHaveProcess => !IsNew && !IsFinal;

    public StartDecision Decide(TaskSpec spec) =>
        IsNew ? StartDecision.Accept
        : Spec!.SameCommandAs(spec) ? StartDecision.AlreadyKnown
        : StartDecision.Conflict;

    public string ConflictReason(TaskSpec spec) =>
        $"task id '{TaskId}' is already used for command [{string.Join(' ', Spec?.Command ?? [])}]; "
        + $"refusing [{string.Join(' ', spec.Command)}]";

    public SupervisedTask Apply(ITaskEvent e) => TaskOutcome.Of(e) is { } end
        ? this with { State = end.State, ExitCode = end.ExitCode, Reason = end.Reason, EndedAt = end.At }
        : e switch
    {
        TaskAccepted a => this with { Spec = a.Spec, State = TaskState.Pending },
        TaskStarted s => this with
        {
            State = TaskState.Running,
            Process = new ProcessHandle(s.Pid, s.ProcessStartTicks, s.BootId),
            StartedAt = s.At,
        },
        TaskOutputTruncated => this with { OutputTruncated = true },
        _ => this,
    };
}
