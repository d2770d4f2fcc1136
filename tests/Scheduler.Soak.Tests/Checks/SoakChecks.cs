using Scheduler.Contracts.Tasks;
using Scheduler.Soak.Tests.Workload;

namespace Scheduler.Soak.Tests.Checks;

/// <summary>
/// The soak's verdict: each check adds a line per violation, naming the task and what was seen. None of them waits
/// or depends on timing: they compare what the Master, the agents' journals, the marks file and the recorded fault
/// times say.
/// </summary>
public static class SoakChecks
{
    public static IReadOnlyList<string> Violations(SoakEvidence evidence)
    {
        var violations = new List<string>();
        EveryTaskEndedOnce(evidence, violations);
        HistoryEqualsJournals(evidence, violations);
        NoTaskRanTwice(evidence, violations);
        EveryEndIsAccountedFor(evidence, violations);
        CutsPastTheWindowKilledInTime(evidence, violations);
        AgentRestartsLostTheirRunningTasks(evidence, violations);
        violations.AddRange(evidence.LogMismatches);
        return violations;
    }

    /// <summary>Every accepted task is final on the Master, once in its history, and in exactly its agent's journal with one end.</summary>
    private static void EveryTaskEndedOnce(SoakEvidence evidence, List<string> violations)
    {
        var historyCounts = evidence.History.GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.Count());
        var journaled = evidence.JournaledTasks.ToLookup(t => t.TaskId);
        foreach (var (id, view) in evidence.Accepted)
        {
            if (!view.State.IsFinal())
            {
                violations.Add($"task {id} is not final on the Master: {view.State}");
            }

            if (historyCounts.GetValueOrDefault(id) != 1)
            {
                violations.Add($"task {id} is in the Master's history {historyCounts.GetValueOrDefault(id)} times");
            }

            var holders = journaled[id].ToList();
            if (holders.Count != 1 || holders[0].Agent != view.Agent)
            {
                violations.Add($"task {id} of agent {view.Agent} is in the journals of [{string.Join(", ", holders.Select(h => h.Agent))}]");
            }
            else if (holders[0].Outcomes.Count != 1)
            {
                violations.Add($"task {id} has {holders[0].Outcomes.Count} final events in agent {view.Agent}'s journal: {string.Join("; ", holders[0].Outcomes)}");
            }
        }
    }

    /// <summary>The Master's whole history and the union of the agents' journals hold the same tasks with the same ends.</summary>
    private static void HistoryEqualsJournals(SoakEvidence evidence, List<string> violations)
    {
        var history = evidence.History.GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.First());
        var journals = evidence.JournaledTasks.GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.First());
        foreach (var id in history.Keys.Union(journals.Keys).Order())
        {
            var master = history.GetValueOrDefault(id);
            var agent = journals.GetValueOrDefault(id);
            var masterSays = master is null ? "nothing" : $"{master.Agent}: {master.State} exit {master.ExitCode} ({master.Reason})";
            var agentSays = agent?.Outcome is not { } o ? agent is null ? "nothing" : $"{agent.Agent}: no single end" : $"{agent.Agent}: {o.State} exit {o.ExitCode} ({o.Reason})";
            if (masterSays != agentSays)
            {
                violations.Add($"task {id}: the Master's history says {masterSays}, the agent's journal {agentSays}");
            }
        }
    }

    /// <summary>No id is in the marks file twice; a task that exited by itself is in it exactly once.</summary>
    private static void NoTaskRanTwice(SoakEvidence evidence, List<string> violations)
    {
        var runs = evidence.Marks.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (id, count) in runs.Where(r => r.Value > 1))
        {
            violations.Add($"task {id} ran {count} times");
        }

        foreach (var task in evidence.JournaledTasks.Where(t => t.Outcome?.State is TaskState.Succeeded or TaskState.Failed))
        {
            if (runs.GetValueOrDefault(task.TaskId) != 1)
            {
                violations.Add($"task {task.TaskId} exited by itself but is {runs.GetValueOrDefault(task.TaskId)} times in the marks file");
            }
        }
    }

    /// <summary>
    /// A task ends as its kind says unless the schedule explains otherwise: Killed only by a reconnect window that a
    /// recorded cut of its agent (or a master outage) ran out, Lost only by a restart of its agent while it ran.
    /// </summary>
    private static void EveryEndIsAccountedFor(SoakEvidence evidence, List<string> violations)
    {
        var kinds = evidence.Attempted.ToDictionary(t => t.TaskId);
        foreach (var task in evidence.JournaledTasks.Where(t => t.Outcome is not null))
        {
            var outcome = task.Outcome!;
            switch (outcome.State)
            {
                case TaskState.Succeeded or TaskState.Failed:
                    var expected = kinds[task.TaskId].Undisturbed;
                    if (outcome.State != expected.State || outcome.ExitCode != expected.ExitCode)
                    {
                        violations.Add($"task {task.TaskId} ({kinds[task.TaskId].Kind}) ended {outcome.State} exit {outcome.ExitCode}, expected {expected.State} exit {expected.ExitCode}");
                    }

                    break;
                case TaskState.Killed:
                    if (task.Kill is not { ByReconnectWindow: true })
                    {
                        violations.Add($"task {task.TaskId} was killed, not by the reconnect window: {outcome.Reason}");
                    }
                    else if (!evidence.Record.Cuts.Any(c => c.Concerns(task.Agent) && WindowBounds.Explains(c, outcome.At)))
                    {
                        violations.Add($"task {task.TaskId} was killed by the window at {outcome.At:HH:mm:ss.fff}, which no recorded cut of agent {task.Agent} explains");
                    }

                    break;
                case TaskState.Lost:
                    if (!evidence.Record.AgentRestarts.Any(r => r.Agent == task.Agent && task.AcceptedAt <= r.End && outcome.At >= r.Begin)
                        || outcome.Reason?.StartsWith("agent restarted") != true)
                    {
                        violations.Add($"task {task.TaskId} ended Lost ({outcome.Reason}) at {outcome.At:HH:mm:ss.fff}, which no recorded restart of agent {task.Agent} explains");
                    }

                    break;
                default:
                    violations.Add($"task {task.TaskId} ended {outcome.State} ({outcome.Reason}), which no soak task does");
                    break;
            }
        }
    }

    /// <summary>Every task an agent ran into a cut that surely outlasted window + kill-grace ended within the bound.</summary>
    private static void CutsPastTheWindowKilledInTime(SoakEvidence evidence, List<string> violations)
    {
        var limit = SoakSettings.Window + SoakSettings.KillGrace + WindowBounds.Tolerance;
        foreach (var partition in evidence.Record.Partitions.Where(p => p.Cut.SurelyCut(p.HealBegin) > limit))
        {
            var cut = partition.Cut;
            var deadline = WindowBounds.Deadline(cut);
            var runningInto = evidence.JournaledTasks.Where(t => t.Agent == cut.Agent
                && t.AcceptedAt < cut.Effective + SoakSettings.Window
                && (t.Outcome is null || t.Outcome.At > cut.Begin));
            foreach (var task in runningInto)
            {
                if (task.Outcome is not { } end || end.At > deadline)
                {
                    violations.Add($"task {task.TaskId} ran into a cut of agent {cut.Agent} from {cut.Effective:HH:mm:ss.fff} past the window, but ended "
                        + (task.Outcome is { } late ? $"{late.State} at {late.At:HH:mm:ss.fff}, {(late.At - deadline).TotalMilliseconds:0} ms after the bound" : "never"));
                }
            }
        }
    }

    /// <summary>A task running when its agent process crashed ends Lost (its end was not journaled before the crash).</summary>
    private static void AgentRestartsLostTheirRunningTasks(SoakEvidence evidence, List<string> violations)
    {
        foreach (var restart in evidence.Record.AgentRestarts)
        {
            var running = evidence.JournaledTasks.Where(t => t.Agent == restart.Agent && t.AcceptedAt < restart.Begin
                && (t.Outcome is null || t.Outcome.At > restart.Begin + TimeSpan.FromSeconds(1)));
            foreach (var task in running.Where(t => t.Outcome?.State != TaskState.Lost))
            {
                violations.Add($"task {task.TaskId} ran when agent {restart.Agent} crashed at {restart.Begin:HH:mm:ss.fff} but ended {task.Outcome?.State.ToString() ?? "never"}");
            }
        }
    }
}
