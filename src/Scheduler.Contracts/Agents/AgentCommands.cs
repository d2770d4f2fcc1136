using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Agents;

/// <summary>
/// A command the Master sends straight to an agent's AgentActor over Akka.Remote. Each carries the
/// Master's epoch: an agent ignores commands of an epoch older than the newest it has seen, which
/// fences an old singleton after a split brain.
/// </summary>
public interface IAgentCommand : ISchedulerMessage
{
    long Epoch { get; }
}

/// <summary>Start this task. Idempotent by task id: a known id starts nothing and reports the current state.</summary>
public sealed record StartTask(long Epoch, TaskSpec Spec) : IAgentCommand;

/// <summary>Kill this task's process group (SIGTERM, kill-grace, SIGKILL).</summary>
public sealed record StopTask(long Epoch, string TaskId, string Reason) : IAgentCommand;

/// <summary>Send the task's log file from <paramref name="Offset"/> on, at most <paramref name="MaxBytes"/>.</summary>
public sealed record FetchTaskLog(long Epoch, string TaskId, long Offset, int MaxBytes) : IAgentCommand;

/// <summary>The Master has adopted every event up to and including <paramref name="Offset"/> of that journal.</summary>
public sealed record EventsAdopted(long Epoch, string JournalId, long Offset) : IAgentCommand;

/// <summary>
/// Of the agent's <see cref="ReleaseCandidates"/>, these are adopted and their whole logs are held by the Master:
/// the agent may delete their events and log files.
/// </summary>
public sealed record ReleaseConfirmed(long Epoch, string JournalId, IReadOnlyList<string> TaskIds) : IAgentCommand;

/// <summary>The Master's answer to a heartbeat: it acknowledges the agent's heartbeat sequence number.</summary>
public sealed record MasterHeartbeat(long Epoch, long AckedSequence) : IAgentCommand;
