using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Core.Scheduling;

/// <summary>
/// One task in the Master's history. <see cref="AcceptedByAgent"/> and <see cref="KillReason"/> make
/// the outbox: a task not yet accepted is (re)sent to its agent, a requested kill is (re)sent until the
/// task is final — both survive a Master restart because they are derived from persisted events.
/// <see cref="ConcludedByMaster"/>: the Master recorded the task Lost without its agent (the agent's deadline
/// passed); the kill stays in the outbox until the agent's own journal reports the task final.
/// </summary>
public sealed record TaskEntry(
    long Sequence,
    string Agent,
    TaskSpec Spec,
    TaskState State,
    int? ExitCode,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Reason,
    bool AcceptedByAgent,
    string? KillReason,
    bool LogComplete,
    bool ConcludedByMaster = false,
    string? JobId = null,
    int Attempt = 1,
    string? LogNote = null)
{
    public bool IsFinal => State.IsFinal();

    public bool AwaitsStart => !AcceptedByAgent && !IsFinal;

    /// <summary>
    /// Nothing can change it any more: final by its agent's word and its whole log held here (a task the agent
    /// refused too: <see cref="Final"/> marks it accepted, so its log is copied like any other). Settled tasks move
    /// to the history table and out of the Master's state.
    /// </summary>
    public bool IsSettled => IsFinal && !ConcludedByMaster && LogComplete;

    /// <summary>
    /// A requested kill until the task is final; for a task the Master concluded Lost, until the agent itself
    /// reports it final (the agent may still run it when it comes back).
    /// </summary>
    public bool AwaitsKill => KillReason is not null && (!IsFinal || (ConcludedByMaster && AcceptedByAgent));

    /// <summary>The task's view; a task that was running shows <c>Unknown</c> while its agent is unreachable.</summary>
    public TaskView ToView(bool agentReachable) => new(
        Spec.TaskId,
        Agent,
        Spec.Command,
        !agentReachable && State == TaskState.Running ? TaskState.Unknown : State,
        ExitCode,
        SubmittedAt,
        StartedAt,
        EndedAt,
        Reason,
        LogNote);

    /// <summary>Folds an event journaled by the agent into the Master's entry.</summary>
    public TaskEntry Adopt(ITaskEvent e) => TaskOutcome.Of(e) is { } end
        ? Final(end.State, end.ExitCode, end.Reason, end.At)
        : e switch
    {
        TaskAccepted => this with { AcceptedByAgent = true },
        TaskStarted s when !IsFinal => this with { State = TaskState.Running, StartedAt = s.At, AcceptedByAgent = true },
        // Concluded Lost by the Master, but the agent did start it: keep it in the kill outbox.
        TaskStarted s when ConcludedByMaster => this with { StartedAt = StartedAt ?? s.At, AcceptedByAgent = true },
        TaskOutputTruncated t => this with { LogNote = $"log truncated after {t.LogBytes} bytes: {t.Error}; the rest of the output was discarded" },
        _ => this,
    };

    /// <summary>The agent's own final word always wins over what the Master concluded without it (e.g. Lost).</summary>
    public TaskEntry Final(TaskState state, int? exitCode, string? reason, DateTimeOffset at) =>
        this with { State = state, ExitCode = exitCode, Reason = reason, EndedAt = at, AcceptedByAgent = true, ConcludedByMaster = false };

    /// <summary>The agent's deadline passed: Lost for now, and a kill for the agent in case it still runs the task.</summary>
    public TaskEntry ConcludeLost(string reason, DateTimeOffset at) =>
        this with { State = TaskState.Lost, Reason = reason, EndedAt = at, KillReason = reason, ConcludedByMaster = true };
}
