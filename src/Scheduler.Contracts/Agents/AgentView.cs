namespace Scheduler.Contracts.Agents;

/// <summary>How the Master sees an agent.</summary>
public enum AgentState
{
    Connected,
    Unreachable,
    Lost,
}

/// <summary>An agent as users see it: the JSON shape of <c>scheduler agents</c> and the dashboard's <c>/api/agents</c>.</summary>
/// <param name="LastSeen">When the Master last heard from the agent (null: not since the Master started).</param>
/// <param name="WindowEndsAt">
/// When the agent's reconnect window ends if it stays silent: it then kills its running tasks itself. The agent counts
/// from its last round trip, so this is the Master's estimate (last seen + window); null with an infinite window or no session.
/// </param>
/// <param name="LostAt">When the Master gives the agent up if it stays silent (last seen + its lost-after deadline).</param>
/// <param name="AdoptedOffset">The agent journal's offset the Master has adopted up to.</param>
/// <param name="JournalEnd">The end of the agent's journal as the agent last reported it (its replay is done when adopted reaches it).</param>
public sealed record AgentView(
    string Name,
    AgentState State,
    DateTimeOffset? LastSeen,
    int RunningTasks,
    IReadOnlyList<string> Labels,
    DateTimeOffset? WindowEndsAt = null,
    DateTimeOffset? LostAt = null,
    long? AdoptedOffset = null,
    long? JournalEnd = null);
