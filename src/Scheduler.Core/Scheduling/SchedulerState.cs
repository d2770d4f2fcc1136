using System.Collections.Immutable;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
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
/// The Master's persistent state: epoch, every task (the history), each agent's journal cursor and the
/// event log (<c>scheduler events</c>). Pure; SchedulerActor persists the events this state is told to apply.
/// </summary>
public sealed partial record SchedulerState(
    long Epoch,
    string? RunId,
    DateTimeOffset? EpochStartedAt,
    long NextSequence,
    ImmutableDictionary<string, TaskEntry> Tasks,
    ImmutableDictionary<string, AgentCursor> Cursors,
    ImmutableList<SchedulerEvent> EventLog,
    bool Paused = false)
{
    public static SchedulerState Empty { get; } = new(
        0, null, null, 1, ImmutableDictionary<string, TaskEntry>.Empty, ImmutableDictionary<string, AgentCursor>.Empty,
        ImmutableList<SchedulerEvent>.Empty);

    public long AdoptedOffset(string agent, string journalId) =>
        Cursors.TryGetValue(agent, out var c) && c.JournalId == journalId ? c.AdoptedOffset : 0;

    public bool IsKnownJournal(string agent, string journalId) =>
        Cursors.TryGetValue(agent, out var c) && c.JournalId == journalId;

    /// <summary>Tasks not yet final, optionally of one agent, oldest first.</summary>
    public IEnumerable<TaskEntry> Unfinished(string? agent) =>
        Tasks.Values.Where(t => !t.IsFinal && (agent is null || t.Agent == agent)).OrderBy(t => t.Sequence);

    /// <summary>Settled tasks still held here, oldest first: the next to move to the history table.</summary>
    public IReadOnlyList<TaskEntry> Settled(int max) =>
        Tasks.Values.Where(t => t.IsSettled).OrderBy(t => t.Sequence).Take(max).ToList();

    /// <summary>
    /// Running tasks by agent, counted in one pass over the tasks held here: a pass per agent made each agents query
    /// (the dashboard asks every second) cost agents × tasks; polled during an adoption of 33,000 tasks it was 5 % of the CPU.
    /// Counted once per version of the task map (it is immutable, so a version's counts never change): the agents
    /// query, the dashboard and the Master's metrics tick ask between changes for free (issue 8, adoption benchmark).
    /// </summary>
    public IReadOnlyDictionary<string, int> RunningCounts() =>
        RunningCountsOf.GetValue(Tasks, tasks => tasks.Values.Where(t => t.State == TaskState.Running).CountBy(t => t.Agent).ToDictionary());

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ImmutableDictionary<string, TaskEntry>, IReadOnlyDictionary<string, int>>
        RunningCountsOf = new();

    /// <summary>Ids of the agent's running tasks, oldest first.</summary>
    public IReadOnlyList<string> RunningTaskIds(string agent) =>
        Tasks.Values.Where(t => t.Agent == agent && t.State == TaskState.Running).OrderBy(t => t.Sequence).Select(t => t.Spec.TaskId).ToList();

    /// <summary>
    /// Of the tasks an agent proposes to release, those it may delete: its own, final by its own word (not
    /// concluded Lost by the Master), with the whole log held here.
    /// </summary>
    public IReadOnlyList<string> Releasable(string agent, IEnumerable<string> taskIds) =>
        taskIds.Where(id => Tasks.TryGetValue(id, out var t) && t.Agent == agent && t.IsFinal && !t.ConcludedByMaster && t.LogComplete).ToList();

    /// <summary>The newest <paramref name="limit"/> entries of the event log, optionally of one agent, oldest first.</summary>
    public IReadOnlyList<SchedulerEvent> Events(string? agent, int limit)
    {
        var matching = agent is null ? EventLog : EventLog.Where(e => e.Agent == agent).ToImmutableList();
        return matching.Skip(Math.Max(0, matching.Count - Math.Max(1, limit))).ToList();
    }

    public BatchDecision Decide(AgentEventBatch batch) =>
        IsKnownJournal(batch.AgentName, batch.JournalId)
        && batch.AfterOffset == Cursors[batch.AgentName].AdoptedOffset
        && batch.ToOffset > batch.AfterOffset
            ? BatchDecision.Adopt
            : BatchDecision.Ignore;

    /// <summary>The state after <paramref name="e"/>; a job's run that just ended may be due to run again.</summary>
    public SchedulerState Apply(IMasterEvent e) => ApplyEvent(e).ScheduleReruns(this);

    private SchedulerState ApplyEvent(IMasterEvent e) => e switch
    {
        MasterEpochStarted s => (this with { Epoch = s.Epoch, RunId = s.RunId, EpochStartedAt = s.At })
            .Log(s.At, SchedulerEventKind.MasterStarted, null, $"master run {s.RunId} started (epoch {s.Epoch})", []),
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
        AgentCoupled c => Couple(c),
        AgentWentUnreachable u => MarkUnreachable(u.AgentName).Log(u.At, SchedulerEventKind.AgentUnreachable, u.AgentName,
            $"agent {u.AgentName} unreachable: no heartbeat since {u.LastSeen:O}", RunningTaskIds(u.AgentName)),
        AgentDeclaredLost l => DeclareLost(l),
        MasterPaused p => (this with { Paused = true }).Log(p.At, SchedulerEventKind.MasterPaused, null,
            $"master paused ({p.Reason}): no task starts until resume", []),
        MasterResumed r => (this with { Paused = false }).Log(r.At, SchedulerEventKind.MasterResumed, null,
            $"master resumed: {Tasks.Values.Count(t => t.AwaitsStart)} pending task(s) start", []),
        JobDefined d => DefineJob(d),
        JobRemoved r => RemoveJob(r),
        JobFired f => FireJob(f),
        JobFireSkipped k => SkipJobFires(k),
        TasksMovedToHistory m => this with { Tasks = Tasks.RemoveRange(m.TaskIds.Where(id => Tasks.TryGetValue(id, out var t) && t.IsSettled)) },
        _ => this,
    };

    /// <summary>A new journal under a known name: the old journal's unfinished tasks can never be reported again.</summary>
    private SchedulerState AttachJournal(AgentJournalAttached a)
    {
        var state = this with { Cursors = Cursors.SetItem(a.AgentName, new AgentCursor(a.AgentName, a.JournalId, 0)) };
        if (!Cursors.TryGetValue(a.AgentName, out var old))
        {
            return state;
        }

        // Unfinished tasks of the old journal, and those the Master had concluded Lost while waiting for it:
        // no journal will ever report them again, so they are final now and no kill waits for them.
        var lost = Tasks.Values
            .Where(t => t.Agent == a.AgentName && ((t.AcceptedByAgent && !t.IsFinal) || t.ConcludedByMaster))
            .OrderBy(t => t.Sequence)
            .ToList();
        var tasks = Tasks;
        foreach (var t in lost)
        {
            tasks = tasks.SetItem(t.Spec.TaskId, t.Final(TaskState.Lost, null, "agent journal replaced", a.At));
        }

        return (state with { Tasks = tasks }).Log(a.At, SchedulerEventKind.AgentJournalReplaced, a.AgentName,
            $"agent {a.AgentName} came back with a new journal {a.JournalId} (was {old.JournalId}): "
            + $"{lost.Count} unfinished task(s) of the old journal recorded Lost",
            lost.Select(t => t.Spec.TaskId).ToList());
    }

    private SchedulerState Couple(AgentCoupled c)
    {
        if (!Cursors.TryGetValue(c.AgentName, out var cursor) || cursor.JournalId != c.JournalId)
        {
            return this;
        }

        var running = c.RunningTaskIds.Count == 0 ? "" : ": " + IdList(c.RunningTaskIds);
        var (kind, verb) = cursor.HasCoupled
            ? (SchedulerEventKind.AgentReconnected, "reconnected")
            : (SchedulerEventKind.AgentRegistered, "registered");
        return (this with { Cursors = Cursors.SetItem(c.AgentName, cursor with { HasCoupled = true, LostAfter = c.LostAfter, Unreachable = false }) })
            .Log(c.At, kind, c.AgentName, $"agent {c.AgentName} {verb}, {c.RunningTaskIds.Count} running{running}", c.RunningTaskIds);
    }

    private SchedulerState MarkUnreachable(string agent) =>
        Cursors.TryGetValue(agent, out var cursor) ? this with { Cursors = Cursors.SetItem(agent, cursor with { Unreachable = true }) } : this;

    /// <summary>The agent's deadline passed: its unfinished tasks are Lost until its own journal says otherwise.</summary>
    private SchedulerState DeclareLost(AgentDeclaredLost l)
    {
        if (!IsKnownJournal(l.AgentName, l.JournalId))
        {
            return this;
        }

        var lost = Unfinished(l.AgentName).ToList();
        var tasks = Tasks;
        foreach (var t in lost)
        {
            tasks = tasks.SetItem(t.Spec.TaskId, t.ConcludeLost(l.Reason, l.At));
        }

        return (this with { Tasks = tasks }).Log(l.At, SchedulerEventKind.AgentLost, l.AgentName,
            $"agent {l.AgentName} lost: {l.Reason}; {lost.Count} unfinished task(s) recorded Lost",
            lost.Select(t => t.Spec.TaskId).ToList());
    }

    /// <summary>An entry names at most this many tasks (its message says how many there are), so it stays small on the wire.</summary>
    public const int MaxTaskIdsPerEvent = 100;

    private const int MaxTaskIdsInMessage = 20;

    private static string IdList(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(MaxTaskIdsInMessage)) + (ids.Count > MaxTaskIdsInMessage ? $", … ({ids.Count - MaxTaskIdsInMessage} more)" : "");

    /// <summary>
    /// The event log keeps this many newest entries in the state (and its snapshots); every entry stays in the
    /// journal as the event that made it.
    /// </summary>
    public const int MaxEventLogEntries = 1_000;

    internal SchedulerState Log(DateTimeOffset at, SchedulerEventKind kind, string? agent, string message, IReadOnlyList<string> taskIds)
    {
        var sequence = EventLog.Count == 0 ? 1 : EventLog[^1].Sequence + 1;
        var log = EventLog.Add(new SchedulerEvent(sequence, at, kind, agent, message, taskIds.Take(MaxTaskIdsPerEvent).ToList()));
        return this with { EventLog = log.Count > MaxEventLogEntries ? log.RemoveRange(0, log.Count - MaxEventLogEntries) : log };
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

        var state = this with
        {
            NextSequence = next,
            Tasks = tasks.ToImmutable(),
            Cursors = Cursors.SetItem(a.AgentName, Cursors.TryGetValue(a.AgentName, out var c) && c.JournalId == a.JournalId
                ? c with { AdoptedOffset = a.ToOffset }
                : new AgentCursor(a.AgentName, a.JournalId, a.ToOffset)),
        };
        var windowKills = a.Events.Select(j => j.Event).OfType<TaskKilled>().Where(k => k.ByReconnectWindow).ToList();
        return windowKills.Count == 0
            ? state
            : state.Log(windowKills[^1].At, SchedulerEventKind.TasksKilledByWindow, a.AgentName,
                $"agent {a.AgentName} killed {windowKills.Count} task(s) itself: {windowKills[0].Reason}",
                windowKills.Select(k => k.TaskId).ToList());
    }

    internal static TaskEntry NewEntry(long sequence, string agent, TaskSpec spec, DateTimeOffset at) =>
        new(sequence, agent, spec, TaskState.Pending, null, at, null, null, null, false, null, false);
}
