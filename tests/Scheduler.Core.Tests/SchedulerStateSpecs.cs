using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

public sealed class SchedulerStateSpecs
{
    private static SchedulerState Attached(string journal = "j1") =>
        SchedulerState.Empty.Apply(new AgentJournalAttached("a1", journal, T0));

    private static AgentEventBatch Batch(long after, long to, params ITaskEvent[] events) =>
        new("a1", "j1", 1, after, to, events.Select((e, i) => new JournaledTaskEvent(after + i + 1, e)).ToList());

    private static SchedulerState Adopt(SchedulerState state, AgentEventBatch batch) =>
        state.Apply(new AgentEventsAdopted(batch.AgentName, batch.JournalId, batch.ToOffset, batch.Events));

    [Fact]
    public void TaskSubmitted_should_add_pending_entries_with_increasing_sequence()
    {
        var state = SchedulerState.Empty
            .Apply(new TaskSubmitted("a1", Spec("t-1"), T0))
            .Apply(new TaskSubmitted("a2", Spec("t-2"), T0.AddSeconds(1)));

        var first = state.Tasks["t-1"];
        var second = state.Tasks["t-2"];
        Assert.Equal(1, first.Sequence);
        Assert.Equal(2, second.Sequence);
        Assert.Equal(3, state.NextSequence);
        Assert.Equal(TaskState.Pending, first.State);
        Assert.Equal("a1", first.Agent);
        Assert.Equal(T0, first.SubmittedAt);
        Assert.False(first.AcceptedByAgent);
        Assert.True(first.AwaitsStart);
        Assert.False(first.AwaitsKill);
    }

    [Fact]
    public void MasterEpochStarted_should_set_epoch_and_run_id()
    {
        var state = SchedulerState.Empty.Apply(new MasterEpochStarted(4, "run-4", T0));

        Assert.Equal(4, state.Epoch);
        Assert.Equal("run-4", state.RunId);
    }

    [Fact]
    public void Decide_should_ignore_batches_of_an_unknown_journal()
    {
        Assert.Equal(BatchDecision.Ignore, SchedulerState.Empty.Decide(Batch(0, 1, new TaskExited("t-1", 0, T0))));
        Assert.Equal(BatchDecision.Ignore, Attached("j-other").Decide(Batch(0, 1, new TaskExited("t-1", 0, T0))));
    }

    [Fact]
    public void Decide_should_adopt_a_batch_starting_at_the_cursor()
    {
        var state = Attached();

        Assert.Equal(0, state.AdoptedOffset("a1", "j1"));
        Assert.True(state.IsKnownJournal("a1", "j1"));
        Assert.Equal(BatchDecision.Adopt, state.Decide(Batch(0, 1, new TaskExited("t-1", 0, T0))));
    }

    [Fact]
    public void Decide_should_ignore_gaps_and_empty_ranges()
    {
        var state = Attached();

        Assert.Equal(BatchDecision.Ignore, state.Decide(Batch(1, 2, new TaskExited("t-1", 0, T0))));
        Assert.Equal(BatchDecision.Ignore, state.Decide(Batch(0, 0)));
    }

    [Fact]
    public void Decide_should_ignore_a_duplicate_of_an_adopted_batch()
    {
        var batch = Batch(0, 2, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 10, 20, "b", T0));
        var state = Adopt(Attached(), batch);

        Assert.Equal(2, state.AdoptedOffset("a1", "j1"));
        Assert.Equal(BatchDecision.Ignore, state.Decide(batch));
        Assert.Equal(BatchDecision.Adopt, state.Decide(Batch(2, 3, new TaskExited("t-1", 0, T0))));
    }

    [Fact]
    public void AgentEventsAdopted_should_fold_events_into_entries()
    {
        var state = Attached().Apply(new TaskSubmitted("a1", Spec(), T0));

        state = Adopt(state, Batch(0, 1, new TaskAccepted("t-1", Spec(), T0.AddSeconds(1))));
        Assert.True(state.Tasks["t-1"].AcceptedByAgent);
        Assert.Equal(TaskState.Pending, state.Tasks["t-1"].State);
        Assert.False(state.Tasks["t-1"].AwaitsStart);

        state = Adopt(state, Batch(1, 2, new TaskStarted("t-1", 10, 20, "b", T0.AddSeconds(2))));
        Assert.Equal(TaskState.Running, state.Tasks["t-1"].State);
        Assert.Equal(T0.AddSeconds(2), state.Tasks["t-1"].StartedAt);

        state = Adopt(state, Batch(2, 3, new TaskExited("t-1", 0, T0.AddSeconds(3))));
        Assert.Equal(TaskState.Succeeded, state.Tasks["t-1"].State);
        Assert.Equal(0, state.Tasks["t-1"].ExitCode);
        Assert.Equal(T0.AddSeconds(3), state.Tasks["t-1"].EndedAt);
        Assert.Equal(new AgentCursor("a1", "j1", 3), state.Cursors["a1"]);
    }

    [Fact]
    public void AgentEventsAdopted_should_fail_a_task_exiting_non_zero()
    {
        var state = Adopt(
            Attached().Apply(new TaskSubmitted("a1", Spec(), T0)),
            Batch(0, 3, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 1, 2, "b", T0), new TaskExited("t-1", 3, T0.AddSeconds(1))));

        Assert.Equal(TaskState.Failed, state.Tasks["t-1"].State);
        Assert.Equal(3, state.Tasks["t-1"].ExitCode);
    }

    [Fact]
    public void AgentEventsAdopted_should_create_an_entry_for_an_unknown_accepted_task()
    {
        var state = Attached().Apply(new TaskSubmitted("a1", Spec("t-0"), T0));

        state = Adopt(state, Batch(0, 2, new TaskAccepted("t-9", Spec("t-9"), T0.AddSeconds(5)), new TaskExited("t-unknown", 0, T0)));

        var entry = state.Tasks["t-9"];
        Assert.Equal("a1", entry.Agent);
        Assert.Equal(2, entry.Sequence);
        Assert.Equal(3, state.NextSequence);
        Assert.Equal(T0.AddSeconds(5), entry.SubmittedAt);
        Assert.True(entry.AcceptedByAgent);
        Assert.Equal(TaskState.Pending, entry.State);
        Assert.False(state.Tasks.ContainsKey("t-unknown"));
        Assert.Equal(2, state.Tasks.Count);
    }

    [Fact]
    public void AgentJournalAttached_with_a_new_journal_should_lose_accepted_unfinished_tasks_and_reset_cursor()
    {
        var state = Attached()
            .Apply(new TaskSubmitted("a1", Spec("t-run"), T0))
            .Apply(new TaskSubmitted("a1", Spec("t-done"), T0))
            .Apply(new TaskSubmitted("a1", Spec("t-unsent"), T0))
            .Apply(new TaskSubmitted("a2", Spec("t-other"), T0));
        state = Adopt(state, Batch(
            0,
            5,
            new TaskAccepted("t-run", Spec("t-run"), T0),
            new TaskStarted("t-run", 1, 2, "b", T0),
            new TaskAccepted("t-done", Spec("t-done"), T0),
            new TaskExited("t-done", 0, T0)));
        var at = T0.AddMinutes(1);

        state = state.Apply(new AgentJournalAttached("a1", "j2", at));

        Assert.Equal(TaskState.Lost, state.Tasks["t-run"].State);
        Assert.Equal("agent journal replaced", state.Tasks["t-run"].Reason);
        Assert.Equal(at, state.Tasks["t-run"].EndedAt);
        Assert.Equal(TaskState.Succeeded, state.Tasks["t-done"].State);
        Assert.Equal(TaskState.Pending, state.Tasks["t-unsent"].State);
        Assert.True(state.Tasks["t-unsent"].AwaitsStart);
        Assert.Equal(TaskState.Pending, state.Tasks["t-other"].State);
        Assert.Equal(new AgentCursor("a1", "j2", 0), state.Cursors["a1"]);
        Assert.Equal(0, state.AdoptedOffset("a1", "j1"));
        Assert.False(state.IsKnownJournal("a1", "j1"));
    }

    [Fact]
    public void AgentJournalAttached_for_a_new_agent_should_start_its_cursor_at_zero()
    {
        var state = SchedulerState.Empty.Apply(new TaskSubmitted("a1", Spec(), T0)).Apply(new AgentJournalAttached("a1", "j1", T0));

        Assert.Equal(new AgentCursor("a1", "j1", 0), state.Cursors["a1"]);
        Assert.Equal(TaskState.Pending, state.Tasks["t-1"].State);
    }

    [Fact]
    public void TaskKillRequested_should_set_kill_reason_until_final()
    {
        var state = Attached()
            .Apply(new TaskSubmitted("a1", Spec(), T0))
            .Apply(new TaskKillRequested("t-1", "by user", T0));

        Assert.Equal("by user", state.Tasks["t-1"].KillReason);
        Assert.True(state.Tasks["t-1"].AwaitsKill);

        state = Adopt(state, Batch(0, 1, new TaskKilled("t-1", "by user", 137, T0.AddSeconds(1))));

        Assert.Equal(TaskState.Killed, state.Tasks["t-1"].State);
        Assert.Equal(137, state.Tasks["t-1"].ExitCode);
        Assert.False(state.Tasks["t-1"].AwaitsKill);
    }

    [Fact]
    public void Events_for_unknown_tasks_should_change_nothing()
    {
        var state = Attached();

        Assert.Same(state, state.Apply(new TaskKillRequested("nope", "x", T0)));
        Assert.Same(state, state.Apply(new TaskRejectedByAgent("nope", "x", T0)));
        Assert.Same(state, state.Apply(new TaskLogCompleted("nope", 1, T0)));
    }

    [Fact]
    public void TaskRejectedByAgent_should_fail_the_task()
    {
        var state = SchedulerState.Empty
            .Apply(new TaskSubmitted("a1", Spec(), T0))
            .Apply(new TaskRejectedByAgent("t-1", "id in use", T0.AddSeconds(1)));

        var entry = state.Tasks["t-1"];
        Assert.Equal(TaskState.Failed, entry.State);
        Assert.Equal("id in use", entry.Reason);
        Assert.Equal(T0.AddSeconds(1), entry.EndedAt);
        Assert.False(entry.AwaitsStart);
    }

    [Fact]
    public void TaskLogCompleted_should_mark_the_log_complete()
    {
        var state = SchedulerState.Empty.Apply(new TaskSubmitted("a1", Spec(), T0)).Apply(new TaskLogCompleted("t-1", 10, T0));

        Assert.True(state.Tasks["t-1"].LogComplete);
    }

    [Fact]
    public void ToView_should_show_running_as_unknown_while_agent_unreachable()
    {
        var state = Adopt(
            Attached().Apply(new TaskSubmitted("a1", Spec(), T0)),
            Batch(0, 2, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 1, 2, "b", T0.AddSeconds(1))));
        var entry = state.Tasks["t-1"];

        Assert.Equal(
            new TaskView("t-1", "a1", entry.Spec.Command, TaskState.Unknown, null, T0, T0.AddSeconds(1), null, null),
            entry.ToView(agentReachable: false));
        Assert.Equal(TaskState.Running, entry.ToView(agentReachable: true).State);
        Assert.Equal(TaskState.Pending, SchedulerState.Empty.Apply(new TaskSubmitted("a1", Spec(), T0)).Tasks["t-1"].ToView(false).State);
    }

    [Fact]
    public void A_truncated_log_should_show_in_the_view_with_where_and_why_and_not_end_the_task()
    {
        var state = Adopt(
            Attached().Apply(new TaskSubmitted("a1", Spec(), T0)),
            Batch(0, 4, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 1, 2, "b", T0),
                new TaskOutputTruncated("t-1", 1_048_576, "No space left on device", T0.AddSeconds(1)), new TaskExited("t-1", 0, T0.AddSeconds(2))));
        var view = state.Tasks["t-1"].ToView(agentReachable: true);

        Assert.Equal((TaskState.Succeeded, 0), (view.State, view.ExitCode));
        Assert.Equal("log truncated after 1048576 bytes: No space left on device; the rest of the output was discarded", view.LogNote);
    }

    [Fact]
    public void Agent_final_event_should_override_a_lost()
    {
        var state = Adopt(
            Attached().Apply(new TaskSubmitted("a1", Spec(), T0)),
            Batch(0, 2, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 1, 2, "b", T0)));
        var lost = state.Tasks["t-1"].Final(TaskState.Lost, null, "deadline passed", T0.AddMinutes(1));
        Assert.Equal(TaskState.Lost, lost.State);

        var final = lost.Adopt(new TaskExited("t-1", 0, T0.AddMinutes(2)));

        Assert.Equal(TaskState.Succeeded, final.State);
        Assert.Equal(0, final.ExitCode);
        Assert.Null(final.Reason);
        Assert.Equal(T0.AddMinutes(2), final.EndedAt);
    }

    [Fact]
    public void TaskStarted_should_not_revive_a_final_entry()
    {
        var entry = SchedulerState.Empty.Apply(new TaskSubmitted("a1", Spec(), T0)).Tasks["t-1"]
            .Final(TaskState.Lost, null, "x", T0);

        Assert.Same(entry, entry.Adopt(new TaskStarted("t-1", 1, 2, "b", T0)));
    }
}
