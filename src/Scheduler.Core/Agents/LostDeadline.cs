namespace Scheduler.Core.Agents;

/// <summary>
/// When the Master gives a silent agent up and records its unfinished tasks Lost. Never before the agent
/// has killed them itself (its window plus kill-grace) plus a margin, so the agent always acts first
/// whatever the clocks do; an agent with an infinite window keeps its tasks, and is never given up.
/// </summary>
public static class LostDeadline
{
    /// <param name="lostAfter">The Master's <c>scheduler.master.lost-after</c>.</param>
    /// <param name="margin">The Master's <c>unreachable-after</c>: detection may lag by that much.</param>
    /// <returns>The silence after which the agent is lost; null for never.</returns>
    public static TimeSpan? Of(TimeSpan lostAfter, TimeSpan? window, TimeSpan killGrace, TimeSpan margin) =>
        window is { } w ? Max(lostAfter, w + killGrace + margin) : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
