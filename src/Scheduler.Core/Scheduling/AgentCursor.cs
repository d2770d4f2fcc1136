namespace Scheduler.Core.Scheduling;

/// <summary>
/// Per agent name: the journal the Master follows and the offset of the last event it adopted.
/// <paramref name="HasCoupled"/>: this journal was adopted to its end at least once, so a later coupling is a reconnect.
/// <paramref name="LostAfter"/>: the agent's deadline as of its last coupling (null: never given up, or not coupled yet).
/// <paramref name="Unreachable"/>: recorded unreachable and not coupled since, so its running tasks show Unknown in the
/// event feed (absent in older snapshots, which reads as false).
/// </summary>
public sealed record AgentCursor(
    string AgentName,
    string JournalId,
    long AdoptedOffset,
    bool HasCoupled = false,
    TimeSpan? LostAfter = null,
    bool Unreachable = false);
