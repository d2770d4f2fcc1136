using Scheduler.Agent.Processes;

namespace Scheduler.Agent;

/// <summary>
/// What outlives one agent ActorSystem in the agent process: the task processes, the time of the last
/// round trip with the Master (the reconnect window keeps running across incarnations) and the host's
/// hook that replaces a quarantined ActorSystem with a new incarnation. Thread-safe.
/// </summary>
public sealed class AgentRuntime
{
    private readonly object _gate = new();
    private DateTimeOffset? _lastRoundTrip;
    private TimeSpan? _quarantineAfter;
    private Action<string>? _newIncarnation;

    public AgentRuntime(ProcessTable? processes = null, DateTimeOffset? startedAt = null)
    {
        Processes = processes ?? new ProcessTable();
        StartedAt = startedAt ?? DateTimeOffset.UtcNow;
    }

    public ProcessTable Processes { get; }

    /// <summary>
    /// The Master's watch pause, as its last registration answer said: silent longer, the agent's ActorSystem is
    /// quarantined and replaced. Kept here so a new incarnation that cannot get through is replaced in turn.
    /// </summary>
    public TimeSpan? QuarantineAfter
    {
        get { lock (_gate) { return _quarantineAfter; } }
        set { lock (_gate) { _quarantineAfter = value; } }
    }

    /// <summary>The incarnation of the newest ActorSystem: the next one must be higher even if the clock stepped back.</summary>
    public long LastIncarnation { get; set; }

    /// <summary>When the agent process started: the reconnect window counts from here until the first round trip.</summary>
    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? LastRoundTrip
    {
        get { lock (_gate) { return _lastRoundTrip; } }
        set { lock (_gate) { _lastRoundTrip = value; } }
    }

    /// <summary>Set by the host: called (from an actor) to stop this ActorSystem and start a new incarnation.</summary>
    public void OnNewIncarnationRequested(Action<string> handler)
    {
        lock (_gate)
        {
            _newIncarnation = handler;
        }
    }

    /// <summary>Returns false when no host listens (e.g. an agent started by a test without one).</summary>
    public bool RequestNewIncarnation(string reason)
    {
        Action<string>? handler;
        lock (_gate)
        {
            handler = _newIncarnation;
        }

        handler?.Invoke(reason);
        return handler is not null;
    }
}
