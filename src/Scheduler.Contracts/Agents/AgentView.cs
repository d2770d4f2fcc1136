namespace Scheduler.Contracts.Agents;

/// <summary>How the Master sees an agent.</summary>
public enum AgentState
{
    Connected,
    Unreachable,
    Lost,
}

/// <summary>An agent as users see it: the JSON shape of <c>scheduler agents</c>.</summary>
public sealed record AgentView(string Name, AgentState State, DateTimeOffset? LastSeen, int RunningTasks, IReadOnlyList<string> Labels);
