namespace Scheduler.Soak.Tests.Plan;

/// <summary>
/// The faults of a run, all chosen up front from the seed, so a seed replays the same choices (only their timing
/// varies with the machine). The plan is made in rounds, each a shuffle of every kind of fault, so even the short
/// form partitions shortly and past the window, restarts an agent and crashes the master. Faults of different
/// agents overlap; a master crash waits until no agent is cut (a restarted master would not carry the cut over).
/// </summary>
public static class ChaosPlan
{
    private enum Kind { ShortPartition, LongPartition, RestartAgent, CrashMaster }

    /// <param name="masterOutage">Plan time a master crash takes (the executor waits for the real recovery anyway).</param>
    /// <param name="partitions">Whether links can be cut (a cluster with the throttler adapter).</param>
    public static IReadOnlyList<Fault> Make(int seed, TimeSpan chaos, IReadOnlyList<string> agents, TimeSpan masterOutage, bool partitions)
    {
        var kinds = Enum.GetValues<Kind>().Where(k => partitions || k is not (Kind.ShortPartition or Kind.LongPartition)).ToList();
        var random = new Random(seed);
        var faults = new List<Fault>();
        var agentFreeAt = agents.ToDictionary(a => a, _ => TimeSpan.Zero);
        var t = TimeSpan.FromSeconds(3);
        while (t < chaos)
        {
            foreach (var kind in kinds.OrderBy(_ => random.Next()).ToList())
            {
                if (t >= chaos && faults.Count >= kinds.Count)
                {
                    break; // the time is up and the first round, with every kind, is complete
                }

                if (kind == Kind.CrashMaster)
                {
                    t = Max(t, agentFreeAt.Values.Max());
                    faults.Add(new CrashMaster(t));
                    t += masterOutage;
                    agentFreeAt = agentFreeAt.ToDictionary(a => a.Key, _ => t);
                }
                else
                {
                    var free = agents.Where(a => agentFreeAt[a] <= t).ToList();
                    if (free.Count == 0)
                    {
                        t = agentFreeAt.Values.Min();
                        free = agents.Where(a => agentFreeAt[a] <= t).ToList();
                    }

                    var agent = free[random.Next(free.Count)];
                    var fault = AgentFault(kind, t, agent, random);
                    faults.Add(fault);
                    agentFreeAt[agent] = t + (fault is PartitionAgent p ? p.Hold : TimeSpan.Zero) + TimeSpan.FromSeconds(5);
                }

                t += TimeSpan.FromMilliseconds(random.Next(1500, 5000));
            }
        }

        return faults;
    }

    private static Fault AgentFault(Kind kind, TimeSpan at, string agent, Random random) => kind switch
    {
        Kind.ShortPartition => new PartitionAgent(at, agent, TimeSpan.FromMilliseconds(random.Next(2000, 6000)), LongerThanWindow: false),
        // Past the window, the kill-grace and the tolerance of the window check, by 1–3 s more.
        Kind.LongPartition => new PartitionAgent(at, agent,
            SoakSettings.Window + SoakSettings.KillGrace + Checks.WindowBounds.Tolerance + TimeSpan.FromMilliseconds(random.Next(1000, 3000)), LongerThanWindow: true),
        _ => new RestartAgent(at, agent),
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
