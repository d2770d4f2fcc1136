namespace Scheduler.Contracts.Client;

/// <summary>What an entry of the Master's event log (<c>scheduler events</c>) is about.</summary>
public enum SchedulerEventKind
{
    /// <summary>A Master run (singleton incarnation) started, with its epoch.</summary>
    MasterStarted,
    /// <summary>An agent journal coupled for the first time: its history is adopted and it gets work.</summary>
    AgentRegistered,
    /// <summary>No heartbeat from the agent for <c>unreachable-after</c>: its running tasks show Unknown.</summary>
    AgentUnreachable,
    /// <summary>The agent coupled again: everything it journaled meanwhile is adopted; its running tasks are listed.</summary>
    AgentReconnected,
    /// <summary>The agent's deadline (<c>lost-after</c>) passed: its unfinished tasks are recorded Lost.</summary>
    AgentLost,
    /// <summary>A known agent name came back with a new journal (a wiped data folder): the old journal's tasks are Lost.</summary>
    AgentJournalReplaced,
    /// <summary>The agent killed tasks itself because it had no round trip with the Master for its reconnect window.</summary>
    TasksKilledByWindow,
    /// <summary>The Master was paused (on request, or started paused): it starts no task until resumed.</summary>
    MasterPaused,
    /// <summary>The Master was resumed: tasks submitted while it was paused start.</summary>
    MasterResumed,
    /// <summary>A job was defined or changed (at start-up from the configuration).</summary>
    JobDefined,
    /// <summary>A job was removed.</summary>
    JobRemoved,
    /// <summary>Fire times of a job were missed (the Master was down or paused) and skipped by its misfire policy.</summary>
    JobMisfired,
}

/// <summary>One entry of the Master's event log, derived from its journal; <paramref name="Sequence"/> grows by one per entry.</summary>
public sealed record SchedulerEvent(
    long Sequence,
    DateTimeOffset At,
    SchedulerEventKind Kind,
    string? Agent,
    string Message,
    IReadOnlyList<string> TaskIds);

/// <summary>The newest entries of the event log, optionally of one agent, oldest first. Answered by <see cref="EventsResult"/>.</summary>
public sealed record GetEvents(string? Agent, int Limit) : IClientRequest;

/// <summary>Event log entries; <paramref name="Omitted"/> older matching entries were left out to stay below the frame size.</summary>
public sealed record EventsResult(IReadOnlyList<SchedulerEvent> Events, int Omitted = 0) : ISchedulerMessage;
