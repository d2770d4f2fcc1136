using Scheduler.Soak.Tests.Run;

namespace Scheduler.Soak.Tests.Checks;

/// <summary>
/// When an agent cut off past its reconnect window must have ended its tasks, from times the test recorded itself.
/// The agent's last round trip with a master is no later than when the cut was in effect (<see cref="Cut.Effective"/>:
/// after the throttler took the command, no heartbeat of the agent reaches a master and no answer comes back). The
/// agent fences once its silence exceeds the window, seen on a link check every 200 ms (min(250 ms, heartbeat)); then
/// each task gets SIGTERM and, if still alive, SIGKILL after the kill-grace, and its <c>TaskKilled</c> is dated when
/// the process is gone. So every task it ran ends no later than Effective + window + kill-grace + <see cref="Tolerance"/>,
/// the tolerance covering the 200 ms check tick and the actor, process and journal latencies of a loaded 2-core machine.
/// </summary>
public static class WindowBounds
{
    /// <summary>The slack after Effective + window + kill-grace: the 200 ms link-check tick plus 1.8 s of latency on a loaded machine.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How much earlier than <see cref="Cut.Begin"/> the last round trip may have been: heartbeats go every 200 ms and
    /// their answers may lag on a loaded machine. A window kill earlier than Begin − this + window is a premature fence.
    /// </summary>
    public static readonly TimeSpan EarlyContact = TimeSpan.FromSeconds(2);

    /// <summary>The latest a task running into <paramref name="cut"/> may end.</summary>
    public static DateTimeOffset Deadline(Cut cut) => cut.Effective + SoakSettings.Window + SoakSettings.KillGrace + Tolerance;

    /// <summary>Whether a kill by the window at <paramref name="at"/> is explained by <paramref name="cut"/>: late enough after its start, not after its end.</summary>
    public static bool Explains(Cut cut, DateTimeOffset at) =>
        at >= cut.Begin - EarlyContact + SoakSettings.Window && at <= cut.End + SoakSettings.KillGrace + Tolerance;
}
