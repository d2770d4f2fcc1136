using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Core.Configuration;
using Scheduler.Core.Jobs;
using Scheduler.Core.Security;
using Scheduler.Master;

namespace Scheduler.Hosting;

/// <summary>
/// The <c>scheduler.*</c> keys a node reads: those of the master's, the agent's and transport security's reference
/// files. Akka ignores a key nobody reads, so a misspelt one (<c>scheduler.agent.reconect-window</c>) would run the node
/// on the default without a word; an operator's file is checked against this list instead. Jobs
/// (<c>scheduler.jobs.*</c>) are checked by their own reader.
/// </summary>
public static class SchedulerKeys
{
    private static readonly HashSet<string> Known =
        HoconKeys.Leaves(MasterSettings.DefaultConfig)
            .Concat(HoconKeys.Leaves(AgentSettings.DefaultConfig))
            .Concat(HoconKeys.Leaves(TlsSettings.DefaultConfig))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every key of the reference files, e.g. for documentation checks.</summary>
    public static IReadOnlyCollection<string> All => Known;

    /// <summary>Whether <paramref name="key"/> is a setting the scheduler reads (or a job's, which JobsConfig checks).</summary>
    public static bool IsKnown(string key) =>
        Known.Contains(key) || key.StartsWith(JobsConfig.Path + ".", StringComparison.Ordinal);

    /// <summary>The first <c>scheduler.*</c> key of <paramref name="file"/> that no node reads, with the nearest known one; null if none.</summary>
    public static string? Problem(Config file)
    {
        var unknown = HoconKeys.Leaves(file).FirstOrDefault(k => k.StartsWith("scheduler.", StringComparison.Ordinal) && !IsKnown(k));
        if (unknown is null)
        {
            return null;
        }

        var nearest = HoconKeys.Nearest(unknown, Known);
        return $"unknown key '{unknown}'" + (nearest is null ? "" : $" (did you mean '{nearest}'?)")
               + "; the scheduler would ignore it (every key: docs/operator-guide.md)";
    }
}
