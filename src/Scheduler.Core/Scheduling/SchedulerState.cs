using System.Collections.Immutable;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Core.Scheduling;

/// <summary>What to do with a batch of an agent's journal.</summary>
public enum BatchDecision
{
    /// <summary>It continues exactly where the cursor is: persist it together with the new cursor.</summary>
    Adopt,
    /// <summary>Already adopted (a duplicate or stale copy) or not contiguous: adopt nothing, tell the agent the cursor.</summary>
    Ignore,
}

/// <summary>
/// The Master's persistent state: epoch, every task (the history) and each agent's journal cursor.
/// Pure; SchedulerActor persists the events this state is told to apply.
/// </summary>
public sealed record SchedulerState(
    long Epoch,
    string? RunId,
    long NextSequence,
    ImmutableDictionary<string, TaskEntry> Tasks,
    ImmutableDictionary<string, AgentCursor> Cursors)
{
    public static SchedulerState Empty { get; } =
        new(0, null, 1, ImmutableDictionary<string, TaskEntry>.Empty, ImmutableDictionary<string, AgentCursor>.Empty);

    public long AdoptedOffset(string agent, string journalId) =>
        Cursors.TryGetValue(agent, out var c) && c.JournalId == journalId ? c.AdoptedOffset : 0;

    public bool IsKnownJournal(string agent, string journalId) =>
        Cursors.TryGetValue(agent, out var c) && c.JournalId == journalId;

    /// <summary>Tasks not yet final, optionally of one agent, oldest first.</summary>
    public IEnumerable<TaskEntry> Unfinished(string? agent) =>
        Tasks.Values.Where(t => !t.IsFinal && (agent is null || t.Agent == agent)).OrderBy(t => t.Sequence);

    /// <summary>One entry per task in its current state, newest first; at least one if any matches.</summary>
    public IEnumerable<TaskEntry> History(string? agent, string? taskId, int limit) =>
        Tasks.Values
            .Where(t => (agent is null || t.Agent == agent) && (taskId is null || t.Spec.TaskId == taskId))
            .OrderByDescending(t => t.Sequence)
            .Take(Math.Max(1, limit));

    public int RunningCount(string agent) => Tasks.Values.Count(t => t.Agent == agent && t.State == TaskState.Running);

    public BatchDecision Decide(AgentEventBatch batch) =>
        IsKnownJournal(batch.AgentName, batch.JournalId)
        && batch.AfterOffset == Cursors[batch.AgentName].AdoptedOffset
        && batch.ToOffset > batch.AfterOffset
            ? BatchDecision.Adopt
            : BatchDecision.Ignore;

    public SchedulerState Apply(IMasterEvent e) => e switch
    {
        MasterEpochStarted s => this with { Epoch = s.Epoch, RunId = s.RunId },
        TaskSubmitted s => this with
        {
            NextSequence = NextSequence + 1,
            Tasks = Tasks.SetItem(s.Spec.TaskId, NewEntry(NextSequence, s.Agent, s.Spec, s.At)),
        },
        TaskKillRequested k when Tasks.TryGetValue(k.TaskId, out var t) =>
            this with { Tasks = Tasks.SetItem(k.TaskId, t with { KillReason = k.Reason }) },
        TaskRejectedByAgent r when Tasks.TryGetValue(r.TaskId, out var t) =>
            this with { Tasks = Tasks.SetItem(r.TaskId, t.Final(TaskState.Failed, null, r.Reason, r.At)) },
        TaskLogCompleted l when Tasks.TryGetValue(l.TaskId, out var t) =>
            this with { Tasks = Tasks.SetItem(l.TaskId, t with { LogComplete = true }) },
        AgentJournalAttached a => AttachJournal(a),
        AgentEventsAdopted a => AdoptBatch(a),
        _ => this,
    };

    /// <summary>A new journal under a known name: the old journal's unfinished tasks can never be reported again.</summary>
    private SchedulerState AttachJournal(AgentJournalAttached a)
    {
        var tasks = Tasks;
        if (Cursors.ContainsKey(a.AgentName))
        {
            foreach (var t in Tasks.Values.Where(t => t.Agent == a.AgentName && t.AcceptedByAgent && !t.IsFinal))
            {
                tasks = tasks.SetItem(t.Spec.TaskId, t.Final(TaskState.Lost, null, "agent journal replaced", a.At));
            }
        }

        return this with
        {
            Tasks = tasks,
            Cursors = Cursors.SetItem(a.AgentName, new AgentCursor(a.AgentName, a.JournalId, 0)),
        };
    }

    private SchedulerState AdoptBatch(AgentEventsAdopted a)
    {
        var tasks = Tasks.ToBuilder();
        var next = NextSequence;
        foreach (var journaled in a.Events)
        {
            var e = journaled.Event;
            if (!tasks.TryGetValue(e.TaskId, out var entry))
            {
                // A task the Master never submitted (e.g. its submission was lost with an old Master database):
                // the agent's journal is the truth, so it enters the history as the agent reports it.
                if (e is not TaskAccepted accepted)
                {
                    continue;
                }

                entry = NewEntry(next++, a.AgentName, accepted.Spec, accepted.At);
            }

            tasks[e.TaskId] = entry.Adopt(e);
        }

        return this with
        {
            NextSequence = next,
            Tasks = tasks.ToImmutable(),
            Cursors = Cursors.SetItem(a.AgentName, new AgentCursor(a.AgentName, a.JournalId, a.ToOffset)),
        };
    }

    private static TaskEntry NewEntry(long sequence, string agent, TaskSpec spec, DateTimeOffset at) =>
        new(sequence, agent, spec, TaskState.Pending, null, at, null, null, null, false, null, false);
}
