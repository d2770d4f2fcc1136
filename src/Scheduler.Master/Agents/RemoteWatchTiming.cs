using Akka.Configuration;

namespace Scheduler.Master.Agents;

/// <summary>
/// When the Master's remote watch of agents (Akka's RemoteWatcher with the deadline detector of
/// <c>akka.remote.watch-failure-detector</c>) gives up on a silent agent: after <see cref="Pause"/> +
/// <see cref="HeartbeatInterval"/> without an answer, noticed at its next reaper tick.
/// </summary>
/// <remarks>
/// The watch fails a whole address (host and port), not one ActorSystem incarnation: a new incarnation of an
/// agent registers on its old port, so a give-up timed on the previous incarnation can still end the watch of
/// the new one (see <see cref="IsTooSoon"/>).
/// </remarks>
public sealed record RemoteWatchTiming(TimeSpan Pause, TimeSpan HeartbeatInterval, TimeSpan ReaperInterval)
{
    /// <summary>Silent this long, an agent's ActorSystem is quarantined: what agents wait before they start a new incarnation.</summary>
    public TimeSpan QuarantinedAfter => Pause + HeartbeatInterval + ReaperInterval;

    /// <summary>
    /// A watch that ended this soon after it began cannot have timed that agent: the detector starts counting at
    /// the watch's first heartbeat and fails only after pause + interval without one. Such an end was timed on an
    /// earlier incarnation at the same address.
    /// </summary>
    public bool IsTooSoon(TimeSpan sinceWatchBegan) => sinceWatchBegan < Pause + HeartbeatInterval;

    public static RemoteWatchTiming Of(Config config) => new(
        config.GetTimeSpan("akka.remote.watch-failure-detector.acceptable-heartbeat-pause"),
        config.GetTimeSpan("akka.remote.watch-failure-detector.heartbeat-interval"),
        config.GetTimeSpan("akka.remote.watch-failure-detector.unreachable-nodes-reaper-interval"));
}
