namespace Scheduler.Soak.Tests.Plan;

/// <summary>One step of the chaos plan, due <see cref="At"/> after the chaos starts.</summary>
public abstract record Fault(TimeSpan At);

/// <summary>The agent's links to every master are cut for <paramref name="Hold"/>, then healed.</summary>
public sealed record PartitionAgent(TimeSpan At, string Agent, TimeSpan Hold, bool LongerThanWindow) : Fault(At);

/// <summary>The agent process crashes and starts again on its data folder.</summary>
public sealed record RestartAgent(TimeSpan At, string Agent) : Fault(At);

/// <summary>The (active) master crashes: the single one is restarted on its port, or another of three takes over.</summary>
public sealed record CrashMaster(TimeSpan At) : Fault(At);
