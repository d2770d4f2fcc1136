using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;
using Scheduler.Soak.Tests.Run;
using Scheduler.Soak.Tests.Workload;

namespace Scheduler.Soak.Tests.Checks;

/// <summary>Everything the checks look at, gathered once the chaos is over and every task is final.</summary>
public sealed record SoakEvidence(
    IReadOnlyList<SoakTask> Attempted,
    IReadOnlyDictionary<string, TaskView> Accepted,
    IReadOnlyList<TaskView> History,
    IReadOnlyDictionary<string, IReadOnlyList<ITaskEvent>> Journals,
    IReadOnlyList<string> Marks,
    IReadOnlyList<string> LogMismatches,
    long LogBytesCompared,
    RunRecord Record)
{
    /// <summary>One task as an agent's journal tells it.</summary>
    public sealed record JournaledTask(string Agent, string TaskId, DateTimeOffset? AcceptedAt, IReadOnlyList<TaskOutcome> Outcomes, TaskKilled? Kill)
    {
        public TaskOutcome? Outcome => Outcomes.Count == 1 ? Outcomes[0] : null;
    }

    /// <summary>Every task of every agent's journal.</summary>
    public IReadOnlyList<JournaledTask> JournaledTasks { get; } = Journals
        .SelectMany(j => j.Value.GroupBy(e => e.TaskId).Select(g => new JournaledTask(j.Key, g.Key,
            g.OfType<TaskAccepted>().FirstOrDefault()?.At,
            g.Select(TaskOutcome.Of).OfType<TaskOutcome>().ToList(),
            g.OfType<TaskKilled>().FirstOrDefault())))
        .ToList();
}
