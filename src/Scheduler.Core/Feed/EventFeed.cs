using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;

namespace Scheduler.Core.Feed;

/// <summary>
/// The integrators' event feed, derived from the Master's journal: folding journal event number N into the state
/// gives the feed events <c>N:1</c>, <c>N:2</c>, … Pure and deterministic, so every master — and every reader, from a
/// snapshot or from the journal's first event — derives the same events under the same offsets.
/// </summary>
public static class EventFeed
{
    /// <summary>
    /// The state after <paramref name="e"/> (journal sequence number <paramref name="sequenceNr"/>) and the feed events
    /// it gave: per task whose shown state, exit code or reason changed, and per agent whose recorded state changed
    /// (an agent's event comes before its tasks'). An adopted batch gives one event per agent event that changed the
    /// task, so a task started and ended within one batch shows Running, then its end.
    /// </summary>
    public static (SchedulerState After, IReadOnlyList<FeedEvent> Events) Derive(SchedulerState before, IMasterEvent e, long sequenceNr)
    {
        var after = before.Apply(e);
        var events = new List<FeedEvent>();
        var offsets = new OffsetCounter(sequenceNr);
        switch (e)
        {
            case AgentEventsAdopted a:
                AddAdopted(before, after, a, events, offsets);
                break;
            case AgentCoupled c:
                events.Add(new AgentStateChanged(offsets.Next(), c.AgentName, AgentState.Connected, null, c.At));
                AddAgentTasks(before, after, c.AgentName, c.At, events, offsets);
                break;
            case AgentWentUnreachable u:
                events.Add(new AgentStateChanged(offsets.Next(), u.AgentName, AgentState.Unreachable, $"no heartbeat since {u.LastSeen:O}", u.At));
                AddAgentTasks(before, after, u.AgentName, u.At, events, offsets);
                break;
            case AgentDeclaredLost l when before.IsKnownJournal(l.AgentName, l.JournalId):
                events.Add(new AgentStateChanged(offsets.Next(), l.AgentName, AgentState.Lost, l.Reason, l.At));
                AddAgentTasks(before, after, l.AgentName, l.At, events, offsets);
                break;
            case AgentJournalAttached j:
                AddAgentTasks(before, after, j.AgentName, j.At, events, offsets);
                break;
            case TaskSubmitted s:
                AddIfChanged(before, after, s.Spec.TaskId, s.At, events, offsets);
                break;
            case JobFired f:
                AddIfChanged(before, after, f.Task.TaskId, f.At, events, offsets);
                break;
            case TaskRejectedByAgent r:
                AddIfChanged(before, after, r.TaskId, r.At, events, offsets);
                break;
        }

        return (after, events);
    }

    /// <summary>What a subscriber sees of a task: Running shows Unknown while its agent is recorded unreachable.</summary>
    private static (TaskState State, int? ExitCode, string? Reason) Shown(SchedulerState state, TaskEntry t) =>
        (t.State == TaskState.Running && state.Cursors.TryGetValue(t.Agent, out var c) && c.Unreachable ? TaskState.Unknown : t.State,
            t.ExitCode, t.Reason);

    private static void AddIfChanged(SchedulerState before, SchedulerState after, string taskId, DateTimeOffset at, List<FeedEvent> events, OffsetCounter offsets)
    {
        if (after.Tasks.TryGetValue(taskId, out var now))
        {
            Add(before.Tasks.TryGetValue(taskId, out var was) ? Shown(before, was) : null, after, now, at, events, offsets);
        }
    }

    private static void Add(
        (TaskState, int?, string?)? was, SchedulerState state, TaskEntry now, DateTimeOffset at, List<FeedEvent> events, OffsetCounter offsets)
    {
        var shown = Shown(state, now);
        if (was != shown)
        {
            events.Add(new TaskStateChanged(offsets.Next(), now.Spec.TaskId, now.Agent, now.JobId, shown.State, shown.ExitCode, shown.Reason, at));
        }
    }

    /// <summary>An agent's change touches its tasks (Unknown, Running again, Lost), oldest first.</summary>
    private static void AddAgentTasks(SchedulerState before, SchedulerState after, string agent, DateTimeOffset at, List<FeedEvent> events, OffsetCounter offsets)
    {
        foreach (var task in after.Tasks.Values.Where(t => t.Agent == agent).OrderBy(t => t.Sequence))
        {
            AddIfChanged(before, after, task.Spec.TaskId, at, events, offsets);
        }
    }

    /// <summary>Event by event, as <see cref="SchedulerState"/> adopts them, so each step of a task shows.</summary>
    private static void AddAdopted(SchedulerState before, SchedulerState after, AgentEventsAdopted a, List<FeedEvent> events, OffsetCounter offsets)
    {
        var current = new Dictionary<string, TaskEntry>();
        var next = before.NextSequence;
        foreach (var journaled in a.Events)
        {
            var e = journaled.Event;
            (TaskState, int?, string?)? was = null;
            if (current.TryGetValue(e.TaskId, out var entry) || before.Tasks.TryGetValue(e.TaskId, out entry))
            {
                was = Shown(after, entry);
            }
            else if (e is TaskAccepted accepted)
            {
                entry = SchedulerState.NewEntry(next++, a.AgentName, accepted.Spec, accepted.At);
            }
            else
            {
                continue;
            }

            current[e.TaskId] = entry = entry.Adopt(e);
            Add(was, after, entry, e.At, events, offsets);
        }
    }

    private sealed class OffsetCounter(long sequenceNr)
    {
        private int _index;

        public EventOffset Next() => new(sequenceNr, ++_index);
    }
}
