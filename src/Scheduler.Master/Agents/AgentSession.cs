using Akka.Actor;
using Scheduler.Contracts.Agents;
using Scheduler.Core.Agents;

namespace Scheduler.Master.Agents;

/// <summary>
/// The Master's live view of one registered agent incarnation (not persisted: after a Master restart
/// agents register again). <see cref="Coupled"/> turns true once the agent's journal has been adopted
/// up to its end; only then are its running tasks reported and new work sent. <see cref="ShownUnreachable"/>
/// remembers that the operator was told the agent went silent, so each change is logged once.
/// </summary>
public sealed record AgentSession(
    string Name,
    string JournalId,
    long Incarnation,
    IActorRef Ref,
    IReadOnlyList<string> Labels,
    TimeSpan? ReconnectWindow,
    TimeSpan KillGrace,
    DateTimeOffset LastSeen,
    bool Coupled,
    bool Terminated,
    bool ShownUnreachable)
{
    public SessionFacts Facts => new(JournalId, Incarnation, LastSeen);

    public bool IsReachable(DateTimeOffset now, TimeSpan unreachableAfter) => !Terminated && now - LastSeen <= unreachableAfter;

    /// <summary>Connected = reachable and coupled; the Master sends work only then.</summary>
    public bool IsConnected(DateTimeOffset now, TimeSpan unreachableAfter) => Coupled && IsReachable(now, unreachableAfter);

    public AgentState State(DateTimeOffset now, TimeSpan unreachableAfter) =>
        Terminated ? AgentState.Lost
        : IsConnected(now, unreachableAfter) ? AgentState.Connected
        : AgentState.Unreachable;
}
