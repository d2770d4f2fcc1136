using System.Text.Json.Serialization;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Feed;

/// <summary>
/// An event of the feed integrators subscribe to: the Master's view of a task or an agent moved. Derived from the
/// Master's journal, so every master derives the same events with the same <see cref="Offset"/>s. One stream
/// carries both kinds, in the order the Master recorded them (an agent going unreachable comes before its tasks
/// going Unknown). Never change the meaning of a shipped field: add a new event.
/// </summary>
/// <param name="Offset">Unique and increasing along the feed; resume after the offset of the last event processed.</param>
/// <param name="At">When it happened: the agent's time for what its journal reported, else the Master's.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$e")]
[JsonDerivedType(typeof(TaskStateChanged), "task")]
[JsonDerivedType(typeof(AgentStateChanged), "agent")]
public abstract record FeedEvent(EventOffset Offset, DateTimeOffset At) : ISchedulerMessage;

/// <summary>
/// The task's state as the Master shows it changed, or its exit code or reason did: <c>Pending</c> when accepted,
/// <c>Running</c>, a final state (<c>Succeeded</c>, <c>Failed</c>, <c>TimedOut</c>, <c>Killed</c>, <c>Lost</c>),
/// <c>Unknown</c> while its agent is unreachable (and <c>Running</c> again when it reconnects with the task still
/// running). A task the Master recorded <c>Lost</c> may later end otherwise when its agent's journal says so: the
/// agent's word is the last.
/// </summary>
/// <param name="Agent">The agent the task runs on.</param>
/// <param name="JobId">The job whose run this task is, or null for a submitted task.</param>
/// <param name="ExitCode">The process's exit code, where known.</param>
/// <param name="Reason">Why it ended (killed on request, agent restarted, the operating system's error …), where known.</param>
public sealed record TaskStateChanged(
    EventOffset Offset,
    string TaskId,
    string Agent,
    string? JobId,
    TaskState State,
    int? ExitCode,
    string? Reason,
    DateTimeOffset At) : FeedEvent(Offset, At);

/// <summary>
/// The agent's state as the Master records it changed: <c>Connected</c> (its journal adopted to the end; it gets
/// work), <c>Unreachable</c> (no heartbeat for <c>unreachable-after</c>), <c>Lost</c> (silent past its deadline:
/// its unfinished tasks are recorded Lost).
/// </summary>
/// <param name="Reason">One line for a person, e.g. the agent's silence; null for Connected.</param>
public sealed record AgentStateChanged(EventOffset Offset, string Agent, AgentState State, string? Reason, DateTimeOffset At)
    : FeedEvent(Offset, At);
