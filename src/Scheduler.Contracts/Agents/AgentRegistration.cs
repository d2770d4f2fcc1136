using Akka.Actor;

namespace Scheduler.Contracts.Agents;

/// <summary>
/// Sent by an agent through ClusterClient, repeatedly until answered (copies may arrive in bursts).
/// <paramref name="AgentRef"/> is the AgentActor the Master talks to and watches; the Master never
/// uses the ClusterClient response tunnel (<c>Sender</c>) for that.
/// </summary>
/// <param name="JournalId">Created with the agent's journal; a new id under a known name means a wiped data folder.</param>
/// <param name="Incarnation">Grows with each ActorSystem the agent process starts; a newer one replaces an older ref.</param>
/// <param name="ReconnectWindow">How long the agent keeps tasks running without a round trip; null is infinite.</param>
/// <param name="Sequence">From the same counter as the heartbeats: the answer acknowledges it, which dates the round trip.</param>
public sealed record RegisterAgent(
    string AgentName,
    string JournalId,
    long Incarnation,
    IActorRef AgentRef,
    TimeSpan? ReconnectWindow,
    TimeSpan KillGrace,
    IReadOnlyList<string> Labels,
    long Sequence) : ISchedulerMessage;

/// <summary>
/// The Master accepted the registration. The agent streams its journal after
/// <paramref name="AdoptedOffset"/>; commands of an epoch below <paramref name="Epoch"/> are ignored from now on.
/// </summary>
/// <param name="AckedSequence">The <see cref="RegisterAgent.Sequence"/> answered: a round trip for the reconnect window.</param>
/// <param name="QuarantineAfter">
/// The Master's remote watch gives up on a silent agent after this long and quarantines its ActorSystem;
/// an agent silent for longer starts a new ActorSystem incarnation before it registers again.
/// </param>
public sealed record AgentRegistered(
    string AgentName,
    long Incarnation,
    long Epoch,
    string MasterRunId,
    long AdoptedOffset,
    long AckedSequence,
    TimeSpan QuarantineAfter) : IAgentCommand;

/// <summary>The Master refused the registration, for example because another live agent holds the name.</summary>
public sealed record AgentRegistrationRefused(string AgentName, long Incarnation, string Reason) : ISchedulerMessage;

/// <summary>The agent's heartbeat, sent through ClusterClient every heartbeat interval.</summary>
public sealed record AgentHeartbeat(string AgentName, string JournalId, long Incarnation, long Sequence) : ISchedulerMessage;

/// <summary>
/// Answer through the ClusterClient tunnel to a heartbeat or batch from an agent the Master does not know
/// (for example after a Master restart): the agent registers again at once instead of waiting for silence.
/// </summary>
public sealed record RegisterAgain(string AgentName, long Incarnation) : ISchedulerMessage;
