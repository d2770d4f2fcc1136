using Akka.Actor;
using Akka.Event;
using Scheduler.Agent.Link;
using Scheduler.Agent.Tasks;
using Scheduler.Core.Configuration;

namespace Scheduler.Agent;

/// <summary>
/// The agent's side of the link: round trips with the Master, the reconnect window (the agent kills its tasks
/// itself when it passes), and a new ActorSystem incarnation when the Master has quarantined this one.
/// </summary>
public sealed partial class AgentActor
{
    /// <summary>A Master answer acknowledged one of our messages: a round trip, dated by when we sent that message.</summary>
    private void Acknowledged(long sequence)
    {
        if (!_roundTrips.Acknowledge(sequence))
        {
            return;
        }

        _runtime.LastRoundTrip = _roundTrips.Last;
        if (_fenced)
        {
            _fenced = false;
            _log.Info("Round trip with the Master again; the reconnect window is open");
        }
    }

    private bool IsWindowPassed() =>
        _settings.ReconnectWindow is { } window && _roundTrips.Silence(Now, _runtime.StartedAt) > window;

    private void CheckLink()
    {
        FindMasterIfSilent();
        var silence = _roundTrips.Silence(Now, _runtime.StartedAt);
        if (_settings.ReconnectWindow is { } window && !_fenced && silence > window)
        {
            Fence(silence, window);
        }

        // Counted from this incarnation's start too: a new incarnation that cannot get through either (seen once
        // after a Master resumed from a freeze) is itself replaced after the same time.
        var incarnationSilence = Now - (_roundTrips.Last is { } last && last > _startedAt ? last : _startedAt);
        if (_runtime.QuarantineAfter is { } quarantine && !_newIncarnationRequested && incarnationSilence > quarantine)
        {
            RequestNewIncarnation($"no round trip with the Master for {Durations.Describe(silence)}, longer than its watch of agents ({Durations.Describe(quarantine)})");
        }
    }

    /// <summary>
    /// No master answered (heartbeat, registration) for find-master-after since the current ClusterClient started
    /// looking: its receptionist may be gone with its master, so a new ClusterClient asks every configured master
    /// again — an HA cluster's other master takes the agent over this way. Repeated each find-master-after while
    /// none answers. ClusterClient's own detector is only a slow backstop (AkkaHocon.Agent).
    /// </summary>
    private void FindMasterIfSilent()
    {
        var since = _lastMasterContact > _lookedForMasterAt ? _lastMasterContact : _lookedForMasterAt;
        if (Now - since <= _settings.FindMasterAfter)
        {
            return;
        }

        _log.Info("No answer from a master for {Silence}; looking for one again at {Masters}",
            Durations.Describe(Now - since), string.Join(", ", _settings.Masters));
        _lookedForMasterAt = Now;
        _masterClient.Tell(FindMasterAgain.Instance);
    }

    /// <summary>The reconnect window passed without a round trip: the agent kills its running tasks itself.</summary>
    private void Fence(TimeSpan silence, TimeSpan window)
    {
        _fenced = true;
        var tasks = TaskChildren();
        if (tasks.Count == 0)
        {
            return; // nothing runs (e.g. an agent that has not reached a Master since it started)
        }

        _log.Warning("No round trip with the Master for {Silence} (reconnect window {Window}): killing the running tasks of {Count} supervisor(s)",
            Durations.Describe(silence), Durations.Describe(window), tasks.Count);
        var reason = $"master unreachable for {Durations.Describe(silence)}";
        foreach (var task in tasks)
        {
            task.Tell(new FenceTask(reason));
        }
    }

    private void RequestNewIncarnation(string reason)
    {
        if (_newIncarnationRequested)
        {
            return;
        }

        _newIncarnationRequested = true;
        _log.Warning("Starting a new actor system incarnation: {Reason}", reason);
        if (!_runtime.RequestNewIncarnation(reason))
        {
            _log.Warning("No host to start a new incarnation; this actor system stays as it is");
        }
    }
}
