namespace Scheduler.Soak.Tests.Run;

/// <summary>
/// A time during which agents had no link to a master: a partition of one agent, or a master outage (every agent).
/// <paramref name="Begin"/> is taken just before the fault is injected, <paramref name="Effective"/> just after: the
/// agent's last round trip with a master is no later than <paramref name="Effective"/>. <paramref name="End"/> is
/// when the link was restored (the heal returned, or every agent was Connected to a master again).
/// </summary>
public sealed record Cut(string? Agent, string What, DateTimeOffset Begin, DateTimeOffset Effective, DateTimeOffset End)
{
    public bool Concerns(string agent) => Agent is null || Agent == agent;

    /// <summary>How long the cut surely lasted: from when it was in effect to when the heal began.</summary>
    public TimeSpan SurelyCut(DateTimeOffset healBegin) => healBegin - Effective;
}

/// <summary>A partition as it happened, with when its heal began (the cut surely held until then).</summary>
public sealed record Partition(Cut Cut, DateTimeOffset HealBegin, bool PlannedPastWindow);

/// <summary>An agent process crashed (<paramref name="Begin"/>) and its successor was Connected (<paramref name="End"/>).</summary>
public sealed record AgentRestart(string Agent, DateTimeOffset Begin, DateTimeOffset End);

/// <summary>What the chaos did, with the times the checks reason about.</summary>
public sealed class RunRecord
{
    public List<Partition> Partitions { get; } = [];
    public List<Cut> MasterOutages { get; } = [];
    public List<AgentRestart> AgentRestarts { get; } = [];

    /// <summary>Every cut: the partitions and the master outages.</summary>
    public IEnumerable<Cut> Cuts => Partitions.Select(p => p.Cut).Concat(MasterOutages);
}
