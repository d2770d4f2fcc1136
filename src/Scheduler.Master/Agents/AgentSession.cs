using Akka.Actor;
using Scheduler.Contracts.Agents;
using Scheduler.Core.Agents;

namespace Scheduler.Master.Agents;

/// <summary>
/// The Master's live view of one registered agent incarnation (not persisted: after a Master restart
/// agents register again). <see cref="Coupled"/> turns true once the agent's journal has been adopted
/// up to its end; only then are its running tasks reported and new work sent, and it turns false again
/// when the agent goes silent, so a reconnect couples anew. <see cref="Watched"/> is false once the remote
/// watch ended (<see cref="Stopped"/>: the agent stopped gracefully). <see cref="LostAfter"/> is this agent's
/// deadline (null: never) and <see cref="DeclaredLost"/> that it passed and was recorded. <see cref="ReconnectWindow"/> is
/// the agent's own (null: infinite) and <see cref="ReportedJournalEnd"/> the furthest journal offset it said it has
/// (a batch's end or its caught-up end): what the dashboard shows as replay progress. <see cref="WatchedSince"/> is when
/// the remote watch of <see cref="Ref"/> began, and <see cref="WatchAgain"/> that a watch ended too soon to be about this
/// incarnation (<see cref="RemoteWatchTiming.IsTooSoon"/>) and is renewed at the next reachability check.
/// </summary>
public sealed record AgentSession(
    string Name,
    string JournalId,
    long Incarnation,
    IActorRef Ref,
    IReadOnlyList<string> Labels,
    TimeSpan? LostAfter,
    DateTimeOffset LastSeen,
    bool Coupled = false,
    bool Watched = true,
    bool Stopped = false,
    bool ShownUnreachable = false,
    bool DeclaredLost = false,
    TimeSpan? ReconnectWindow = null,
    long ReportedJournalEnd = 0,
    DateTimeOffset WatchedSince = default,
    bool WatchAgain = false)
{
    public SessionFacts Facts => new(JournalId, Incarnation, LastSeen, Gone: !Watched);

    /// <summary>
    /// Reachable until the Master's reachability check marks the agent unreachable (and logs it): every view
    /// and decision follows that one mark, so what the operator sees and the event log always agree.
    /// </summary>
    public bool IsReachable => Watched && !ShownUnreachable;

    /// <summary>Silent for longer than <paramref name="unreachableAfter"/>: the next reachability check marks it.</summary>
    public bool IsSilent(DateTimeOffset now, TimeSpan unreachableAfter) => now - LastSeen > unreachableAfter;

    /// <summary>Connected = reachable and coupled; the Master sends work only then.</summary>
    public bool IsConnected => Coupled && IsReachable;

    public bool IsPastDeadline(DateTimeOffset now) => LostAfter is { } lostAfter && now - LastSeen > lostAfter;

    public AgentState State =>
        Stopped || DeclaredLost ? AgentState.Lost
        : IsConnected ? AgentState.Connected
        : AgentState.Unreachable;
}
