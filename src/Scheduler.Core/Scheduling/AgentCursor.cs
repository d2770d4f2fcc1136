namespace Scheduler.Core.Scheduling;

/// <summary>Per agent name: the journal the Master follows and the offset of the last event it adopted.</summary>
public sealed record AgentCursor(string AgentName, string JournalId, long AdoptedOffset);
