using Scheduler.Contracts.Tasks;

namespace Scheduler.Soak.Tests.Checks;

/// <summary>The figures a run prints, so a run shows how much chaos it survived.</summary>
public static class SoakCounts
{
    public static string Describe(SoakEvidence evidence)
    {
        var record = evidence.Record;
        var ends = evidence.Accepted.Values.GroupBy(v => v.State).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        var windowKills = evidence.JournaledTasks.Where(t => t.Kill is { ByReconnectWindow: true }).ToList();
        var latenesses = windowKills
            .Select(k => record.Cuts.Where(c => c.Concerns(k.Agent) && WindowBounds.Explains(c, k.Outcome!.At))
                .Select(c => k.Outcome!.At - (c.Effective + SoakSettings.Window)).DefaultIfEmpty().Min())
            .ToList();
        var kinds = evidence.Attempted.Where(t => evidence.Accepted.ContainsKey(t.TaskId)).GroupBy(t => t.Kind).Select(g => $"{g.Key} {g.Count()}");
        return string.Join("\n",
            $"tasks: {evidence.Accepted.Count} accepted of {evidence.Attempted.Count} submitted ({string.Join(", ", kinds)}); ended: {string.Join(", ", ends)}",
            $"partitions: {record.Partitions.Count} ({record.Partitions.Count(p => p.PlannedPastWindow)} past the window); agent restarts: {record.AgentRestarts.Count}; "
                + $"master crashes: {record.MasterOutages.Count} ({string.Join(", ", record.MasterOutages.Select(o => $"{o.What}, {(o.End - o.Begin).TotalSeconds:0.0}s"))})",
            $"kills by the window: {windowKills.Count}"
                + (latenesses.Count > 0 ? $", after window + last contact by {latenesses.Min().TotalMilliseconds:0}..{latenesses.Max().TotalMilliseconds:0} ms" : "")
                + $"; lost by agent restarts: {evidence.JournaledTasks.Count(t => t.Outcome?.State == TaskState.Lost)}",
            $"events adopted: {evidence.Journals.Values.Sum(j => j.Count)} ({string.Join(", ", evidence.Journals.Select(j => $"{j.Key} {j.Value.Count}"))}); "
                + $"logs compared: {evidence.Accepted.Count}, {evidence.LogBytesCompared:N0} bytes");
    }
}
