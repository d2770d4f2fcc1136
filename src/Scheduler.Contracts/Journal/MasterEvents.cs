using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Journal;

/// <summary>An event of the Master's own journal (persistence id <c>scheduler</c>).</summary>
public interface IMasterEvent : ISchedulerMessage
{
}

/// <summary>A new singleton incarnation began; its epoch is one higher than the last.</summary>
public sealed record MasterEpochStarted(long Epoch, string RunId, DateTimeOffset At) : IMasterEvent;

/// <summary>A task was accepted for an agent; persisted before it is dispatched.</summary>
public sealed record TaskSubmitted(string Agent, TaskSpec Spec, DateTimeOffset At) : IMasterEvent;

/// <summary>A kill was requested; it stays in the outbox until the agent reports the task final.</summary>
public sealed record TaskKillRequested(string TaskId, string Reason, DateTimeOffset At) : IMasterEvent;

/// <summary>The agent refused to start the task (for example the id was known with another command).</summary>
public sealed record TaskRejectedByAgent(string TaskId, string Reason, DateTimeOffset At) : IMasterEvent;

/// <summary>An agent registered with a journal id the Master had not seen for that name: its cursor starts at 0.</summary>
public sealed record AgentJournalAttached(string AgentName, string JournalId, DateTimeOffset At) : IMasterEvent;

/// <summary>
/// A batch of the agent's journal, adopted together with the new cursor in one write, so a batch is
/// adopted exactly once even if it arrives twice.
/// </summary>
public sealed record AgentEventsAdopted(string AgentName, string JournalId, long ToOffset, IReadOnlyList<JournaledTaskEvent> Events) : IMasterEvent;

/// <summary>
/// The agent's journal was adopted up to its end: it is connected and gets work. <paramref name="RunningTaskIds"/>
/// are its tasks running at that moment, as reported to the operator. <paramref name="LostAfter"/> is the agent's
/// deadline from its window (null: infinite), kept so a restarted Master gives it up no earlier.
/// </summary>
public sealed record AgentCoupled(
    string AgentName,
    string JournalId,
    long Incarnation,
    IReadOnlyList<string> RunningTaskIds,
    TimeSpan? LostAfter,
    DateTimeOffset At) : IMasterEvent;

/// <summary>No heartbeat from the agent since <paramref name="LastSeen"/>: shown Unreachable, its running tasks Unknown.</summary>
public sealed record AgentWentUnreachable(string AgentName, DateTimeOffset LastSeen, DateTimeOffset At) : IMasterEvent;

/// <summary>
/// The agent's deadline passed: its unfinished tasks are recorded Lost, and the agent is told to kill any of
/// them it still runs when it comes back. Its own journal, adopted later, has the last word on each task.
/// </summary>
public sealed record AgentDeclaredLost(string AgentName, string JournalId, string Reason, DateTimeOffset At) : IMasterEvent;

/// <summary>The Master holds the whole log of a final task.</summary>
public sealed record TaskLogCompleted(string TaskId, long Length, DateTimeOffset At) : IMasterEvent;

/// <summary>A chunk of a task's log copied from its agent (persistence id <c>tasklog-{TaskId}</c>).</summary>
public sealed record TaskLogChunkStored(string TaskId, long Offset, byte[] Data) : ISchedulerMessage;

/// <summary>
/// Settled tasks (final by their agent's word, whole log held) were written to the history table, so the Master's
/// state lets go of them; queries find them there.
/// </summary>
public sealed record TasksMovedToHistory(IReadOnlyList<string> TaskIds, DateTimeOffset At) : IMasterEvent;

/// <summary>
/// A snapshot of the Master's state (open tasks, agents' cursors, the recent event log) so recovery replays only
/// the events after it. <paramref name="Version"/> names the shape of <paramref name="State"/>.
/// </summary>
public sealed record MasterSnapshot(int Version, System.Text.Json.JsonElement State) : ISchedulerMessage;

/// <summary>The Master was paused: it starts no task until <see cref="MasterResumed"/> (persisted, so it outlives a restart or fail-over).</summary>
public sealed record MasterPaused(string Reason, DateTimeOffset At) : IMasterEvent;

/// <summary>The Master was resumed: tasks submitted meanwhile are started.</summary>
public sealed record MasterResumed(DateTimeOffset At) : IMasterEvent;
