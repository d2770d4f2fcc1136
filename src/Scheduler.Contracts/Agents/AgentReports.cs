using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Agents;

/// <summary>One event of the agent's journal with its global, gap-free offset (the journal's ordering column).</summary>
public sealed record JournaledTaskEvent(long Offset, ITaskEvent Event);

/// <summary>
/// A batch of the agent's journal, every event after <paramref name="AfterOffset"/> up to and including
/// <paramref name="ToOffset"/>. Sized in bytes below Akka.Remote's frame size. The Master adopts a batch
/// only if it starts at the offset it has adopted, so a duplicate or stale batch changes nothing.
/// </summary>
public sealed record AgentEventBatch(
    string AgentName,
    string JournalId,
    long Incarnation,
    long AfterOffset,
    long ToOffset,
    IReadOnlyList<JournaledTaskEvent> Events) : ISchedulerMessage;

/// <summary>
/// A piece of a task's log file, answer to <see cref="FetchTaskLog"/>. <paramref name="Complete"/> is true
/// when the task is final and the chunk reaches the end of its file.
/// </summary>
public sealed record TaskLogChunk(string AgentName, string TaskId, long Offset, byte[] Data, bool Complete) : ISchedulerMessage;

/// <summary>The agent refused a <see cref="StartTask"/> (for example the id is known with another command).</summary>
public sealed record StartTaskRejected(string AgentName, string TaskId, string Reason) : ISchedulerMessage;

/// <summary>
/// The agent would delete these final tasks (events all adopted, ended longer ago than its retention) from its
/// journal and log folder. The Master confirms those whose whole log it holds (<see cref="ReleaseConfirmed"/>).
/// </summary>
public sealed record ReleaseCandidates(string AgentName, string JournalId, long Incarnation, IReadOnlyList<string> TaskIds) : ISchedulerMessage;

/// <summary>
/// The agent has sent everything up to <paramref name="JournalEnd"/>, the end of its journal. When the
/// Master's cursor has reached it the agent is coupled: its running tasks are reported and new work is sent.
/// </summary>
public sealed record AgentCaughtUp(string AgentName, string JournalId, long Incarnation, long JournalEnd) : ISchedulerMessage;
