using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Agents;
using Scheduler.Core.Scheduling;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

/// <summary>What the Master's state does when an agent goes silent, is given up, comes back, or is replaced.</summary>
public sealed class AgentLossSpecs
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(340);

    private static SchedulerState Running(params string[] ids)
    {
        var state = SchedulerState.Empty.Apply(new MasterEpochStarted(1, "run-1", T0)).Apply(new AgentJournalAttached("a1", "j1", T0));
        var events = new List<JournaledTaskEvent>();
        foreach (var id in ids)
        {
            state = state.Apply(new TaskSubmitted("a1", Spec(id), T0));
            events.Add(new JournaledTaskEvent(events.Count + 1, new TaskAccepted(id, Spec(id), T0)));
            events.Add(new JournaledTaskEvent(events.Count + 1, new TaskStarted(id, 100, 200, "boot", T0)));
        }

        return Adopt(state, 0, events);
    }

    private static SchedulerState Adopt(SchedulerState state, long after, IReadOnlyList<JournaledTaskEvent> events) =>
        state.Apply(new AgentEventsAdopted("a1", "j1", after + events.Count, events));

    private static SchedulerState Adopt(SchedulerState state, params ITaskEvent[] events)
    {
        var after = state.AdoptedOffset("a1", "j1");
        return Adopt(state, after, events.Select((e, i) => new JournaledTaskEvent(after + i + 1, e)).ToList());
    }

    [Fact]
    public void AgentDeclaredLost_should_record_unfinished_tasks_Lost_and_keep_a_kill_for_the_agent()
    {
        var state = Running("t-1", "t-2");
        state = Adopt(state, new TaskExited("t-2", 0, T0));

        state = state.Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 5m40s", T0.AddMinutes(6)));

        var lost = state.Tasks["t-1"];
        Assert.Equal((TaskState.Lost, "agent unreachable for 5m40s", T0.AddMinutes(6)), (lost.State, lost.Reason, lost.EndedAt));
        Assert.True(lost.ConcludedByMaster);
        Assert.True(lost.AwaitsKill);
        Assert.Equal(TaskState.Succeeded, state.Tasks["t-2"].State);
        var entry = state.EventLog[^1];
        Assert.Equal((SchedulerEventKind.AgentLost, "a1"), (entry.Kind, entry.Agent));
        Assert.Equal(["t-1"], entry.TaskIds);
        Assert.Equal("agent a1 lost: agent unreachable for 5m40s; 1 unfinished task(s) recorded Lost", entry.Message);
    }

    [Fact]
    public void The_agents_own_final_word_should_replace_Lost_and_end_the_kill()
    {
        var state = Running("t-1").Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 6m", T0.AddMinutes(6)));

        state = Adopt(state, new TaskKilled("t-1", "master unreachable for 5m", 143, T0.AddMinutes(5), ByReconnectWindow: true));

        var killed = state.Tasks["t-1"];
        Assert.Equal((TaskState.Killed, "master unreachable for 5m", T0.AddMinutes(5)), (killed.State, killed.Reason, killed.EndedAt));
        Assert.False(killed.ConcludedByMaster);
        Assert.False(killed.AwaitsKill);
        var entry = state.EventLog[^1];
        Assert.Equal(SchedulerEventKind.TasksKilledByWindow, entry.Kind);
        Assert.Equal(["t-1"], entry.TaskIds);
        Assert.Equal("agent a1 killed 1 task(s) itself: master unreachable for 5m", entry.Message);
    }

    [Fact]
    public void A_task_the_agent_started_after_the_Master_gave_it_up_should_stay_Lost_and_be_killed()
    {
        // The Master recorded the pending task Lost; a late start reached the agent anyway.
        var state = SchedulerState.Empty.Apply(new AgentJournalAttached("a1", "j1", T0)).Apply(new TaskSubmitted("a1", Spec("t-1"), T0));
        state = state.Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 6m", T0.AddMinutes(6)));
        Assert.False(state.Tasks["t-1"].AwaitsKill); // the agent never had it: nothing to kill

        state = Adopt(state, new TaskAccepted("t-1", Spec("t-1"), T0.AddMinutes(7)), new TaskStarted("t-1", 1, 2, "b", T0.AddMinutes(7)));

        var entry = state.Tasks["t-1"];
        Assert.Equal(TaskState.Lost, entry.State);
        Assert.Equal(T0.AddMinutes(7), entry.StartedAt);
        Assert.True(entry.AwaitsKill);
        Assert.False(entry.AwaitsStart);
    }

    [Fact]
    public void A_kill_on_request_should_not_outlive_the_final_state()
    {
        var state = Running("t-1").Apply(new TaskKillRequested("t-1", "killed on request", T0));
        Assert.True(state.Tasks["t-1"].AwaitsKill);

        state = Adopt(state, new TaskKilled("t-1", "killed on request", 143, T0));

        Assert.False(state.Tasks["t-1"].AwaitsKill);
        Assert.DoesNotContain(state.EventLog, e => e.Kind == SchedulerEventKind.TasksKilledByWindow);
    }

    [Fact]
    public void The_event_log_should_keep_the_newest_entries_and_go_on_numbering()
    {
        var state = Running("t-1");
        for (var i = 0; i < SchedulerState.MaxEventLogEntries + 10; i++)
        {
            state = state.Apply(new AgentWentUnreachable("a1", T0, T0.AddSeconds(i)));
        }

        Assert.Equal(SchedulerState.MaxEventLogEntries, state.EventLog.Count);
        Assert.Equal(SchedulerState.MaxEventLogEntries + 11L, state.EventLog[^1].Sequence);
        Assert.Equal(12L, state.EventLog[0].Sequence);
    }

    [Fact]
    public void AgentCoupled_should_log_registered_first_and_reconnected_after()
    {
        var state = Running("t-1");

        state = state.Apply(new AgentCoupled("a1", "j1", 5, [], Deadline, T0));
        state = state.Apply(new AgentWentUnreachable("a1", T0.AddSeconds(1), T0.AddSeconds(6)));
        state = state.Apply(new AgentCoupled("a1", "j1", 5, ["t-1"], Deadline, T0.AddSeconds(9)));

        Assert.Equal(
            [SchedulerEventKind.MasterStarted, SchedulerEventKind.AgentRegistered, SchedulerEventKind.AgentUnreachable, SchedulerEventKind.AgentReconnected],
            state.EventLog.Select(e => e.Kind));
        Assert.Equal([1L, 2, 3, 4], state.EventLog.Select(e => e.Sequence));
        Assert.Equal("agent a1 reconnected, 1 running: t-1", state.EventLog[^1].Message);
        Assert.Equal(["t-1"], state.EventLog[2].TaskIds); // the tasks shown Unknown
        Assert.Equal(new AgentCursor("a1", "j1", 2, HasCoupled: true, LostAfter: Deadline), state.Cursors["a1"]);
    }

    [Fact]
    public void An_entry_should_name_at_most_a_hundred_tasks_and_its_message_twenty()
    {
        var ids = Enumerable.Range(0, 150).Select(i => $"t-{i:000}").ToList();

        var entry = Running("t-1").Apply(new AgentCoupled("a1", "j1", 5, ids, Deadline, T0)).EventLog[^1];

        Assert.Equal(SchedulerState.MaxTaskIdsPerEvent, entry.TaskIds.Count);
        Assert.EndsWith("t-018, t-019, … (130 more)", entry.Message);
        Assert.StartsWith("agent a1 registered, 150 running: t-000, t-001,", entry.Message);
    }

    [Fact]
    public void AgentJournalAttached_under_a_known_name_should_say_the_journal_was_replaced()
    {
        var state = Running("t-1").Apply(new AgentJournalAttached("a1", "j2", T0.AddMinutes(1)));

        var entry = state.EventLog[^1];
        Assert.Equal(SchedulerEventKind.AgentJournalReplaced, entry.Kind);
        Assert.Equal(["t-1"], entry.TaskIds);
        Assert.Equal("agent a1 came back with a new journal j2 (was j1): 1 unfinished task(s) of the old journal recorded Lost", entry.Message);
        Assert.Equal("agent journal replaced", state.Tasks["t-1"].Reason);
    }

    [Fact]
    public void A_replaced_journal_should_end_the_kills_waiting_for_tasks_concluded_Lost()
    {
        var state = Running("t-1").Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 6m", T0.AddMinutes(6)));
        Assert.True(state.Tasks["t-1"].AwaitsKill);

        state = state.Apply(new AgentJournalAttached("a1", "j2", T0.AddMinutes(7)));

        Assert.False(state.Tasks["t-1"].AwaitsKill);
        Assert.Equal((TaskState.Lost, "agent journal replaced"), (state.Tasks["t-1"].State, state.Tasks["t-1"].Reason));
    }

    [Fact]
    public void Events_should_give_the_newest_entries_of_one_agent_oldest_first()
    {
        var state = Running("t-1");
        for (var i = 0; i < 5; i++)
        {
            state = state.Apply(new AgentWentUnreachable(i % 2 == 0 ? "a1" : "a2", T0, T0.AddSeconds(i)));
        }

        Assert.Equal([T0.AddSeconds(2), T0.AddSeconds(4)], state.Events("a1", 2).Select(e => e.At));
        Assert.Equal(6, state.Events(null, 100).Count);
    }

    [Theory]
    [InlineData(330, 300, 10, 5, 330)] // lost-after already beyond window + grace + margin
    [InlineData(60, 300, 10, 5, 315)]  // an agent with a longer window: the Master waits for it
    public void LostDeadline_should_never_come_before_the_agent_killed_its_tasks(int lostAfter, int window, int grace, int margin, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected),
            LostDeadline.Of(TimeSpan.FromSeconds(lostAfter), TimeSpan.FromSeconds(window), TimeSpan.FromSeconds(grace), TimeSpan.FromSeconds(margin)));

    [Fact]
    public void LostDeadline_of_an_infinite_window_should_be_never() =>
        Assert.Null(LostDeadline.Of(TimeSpan.FromSeconds(330), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)));

    [Fact]
    public void Registration_of_another_journal_should_be_accepted_once_the_holder_is_gone()
    {
        var holder = new SessionFacts("j1", 5, T0);

        Assert.Equal(RegistrationDecision.Refuse, Registration.Decide(holder, "j2", 1, T0.AddSeconds(1), TimeSpan.FromSeconds(5)));
        Assert.Equal(RegistrationDecision.Accept, Registration.Decide(holder with { Gone = true }, "j2", 1, T0.AddSeconds(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Releasable_should_be_the_agents_own_final_tasks_whose_whole_log_is_held()
    {
        var state = Running("t-1", "t-2", "t-3", "t-4")
            .Apply(new TaskSubmitted("a2", Spec("other"), T0));
        state = Adopt(state, new TaskExited("t-1", 0, T0), new TaskExited("t-2", 0, T0), new TaskExited("t-4", 0, T0))
            .Apply(new TaskLogCompleted("t-1", 10, T0))
            .Apply(new TaskLogCompleted("t-3", 10, T0)) // running: not final
            .Apply(new TaskLogCompleted("other", 10, T0));
        state = state.Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 6m", T0));

        // t-2: log not complete; t-3: concluded Lost by the Master, not final by the agent's word; other: another agent's.
        Assert.Equal(["t-1"], state.Releasable("a1", ["t-1", "t-2", "t-3", "other", "unknown"]));
    }
}
