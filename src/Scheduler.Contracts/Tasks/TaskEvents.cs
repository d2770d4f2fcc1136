using System.Text.Json.Serialization;

namespace Scheduler.Contracts.Tasks;

/// <summary>
/// A fact about one task, journaled by the agent's TaskSupervisorActor (persistence id
/// <c>task-{TaskId}</c>) and adopted by the Master into its history. Never change the meaning of a
/// shipped event: add a new one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$e")]
[JsonDerivedType(typeof(TaskAccepted), "accepted")]
[JsonDerivedType(typeof(TaskStarted), "started")]
[JsonDerivedType(typeof(TaskExited), "exited")]
[JsonDerivedType(typeof(TaskTimedOut), "timed-out")]
[JsonDerivedType(typeof(TaskKilled), "killed")]
[JsonDerivedType(typeof(TaskFailedToStart), "failed-to-start")]
[JsonDerivedType(typeof(TaskLost), "lost")]
[JsonDerivedType(typeof(TaskOutputTruncated), "output-truncated")]
public interface ITaskEvent : ISchedulerMessage
{
    string TaskId { get; }
    DateTimeOffset At { get; }
}

/// <summary>The agent took the task on; it is journaled before the process is started.</summary>
public sealed record TaskAccepted(string TaskId, TaskSpec Spec, DateTimeOffset At) : ITaskEvent;

/// <summary>
/// The process runs. <paramref name="ProcessStartTicks"/> (field 22 of /proc/PID/stat) and
/// <paramref name="BootId"/> identify it beyond its PID, so a reused PID is never killed.
/// </summary>
public sealed record TaskStarted(string TaskId, int Pid, long ProcessStartTicks, string BootId, DateTimeOffset At) : ITaskEvent;

/// <summary>
/// An end journaled once the task's process ended and its output was read to the end: <see cref="LogBytes"/> is the
/// final length of the task's log file on the agent (null in events journaled before it existed, and when the file
/// could not be measured). A Master holds a log of length 0 complete without asking the agent for it.
/// </summary>
public interface IProcessEnded : ITaskEvent
{
    long? LogBytes { get; }
}

/// <summary>The process exited by itself with this code.</summary>
public sealed record TaskExited(string TaskId, int ExitCode, DateTimeOffset At, long? LogBytes = null) : IProcessEnded;

/// <summary>The task ran longer than its timeout and its process group was killed.</summary>
public sealed record TaskTimedOut(string TaskId, TimeSpan Timeout, int? ExitCode, DateTimeOffset At, long? LogBytes = null) : IProcessEnded;

/// <summary>
/// The process group was killed on request or by the agent itself; the reason says which.
/// <paramref name="ByReconnectWindow"/>: the agent killed it because it had no round trip with the Master
/// for its reconnect window (absent in events journaled before it existed, which reads as false).
/// </summary>
public sealed record TaskKilled(string TaskId, string Reason, int? ExitCode, DateTimeOffset At, bool ByReconnectWindow = false, long? LogBytes = null)
    : IProcessEnded;

/// <summary>The process could not be started; <paramref name="Error"/> is the operating system's message.</summary>
public sealed record TaskFailedToStart(string TaskId, string Error, DateTimeOffset At) : ITaskEvent;

/// <summary>The outcome cannot be known (for example the agent restarted while the task ran).</summary>
public sealed record TaskLost(string TaskId, string Reason, DateTimeOffset At) : ITaskEvent;

/// <summary>
/// The task's log could not be written beyond <paramref name="LogBytes"/> (<paramref name="Error"/>, e.g. a full disk);
/// the rest of its output was read and discarded. Not an end: the task runs on and ends as it would have.
/// </summary>
public sealed record TaskOutputTruncated(string TaskId, long LogBytes, string Error, DateTimeOffset At) : ITaskEvent;
