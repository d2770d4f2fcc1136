using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.Core.Tasks;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

public sealed class TaskSpecRulesSpecs
{
    [Fact]
    public void Problem_should_be_null_for_a_good_spec() => Assert.Null(TaskSpecRules.Problem(Spec()));

    [Fact]
    public void Problem_should_name_each_bad_field()
    {
        Assert.Equal("task id is empty", TaskSpecRules.Problem(Spec("")));
        Assert.Equal("the command is empty", TaskSpecRules.Problem(Spec() with { Command = [] }));
        Assert.Equal("the command is empty", TaskSpecRules.Problem(Spec() with { Command = [""] }));
        Assert.Equal("the command line is longer than 65536 characters",
            TaskSpecRules.Problem(Spec() with { Command = ["echo", new string('x', TaskSpecRules.MaxCommandLength)] }));
        Assert.Equal("the timeout must be positive", TaskSpecRules.Problem(Spec() with { Timeout = TimeSpan.Zero }));
        Assert.Equal("the timeout is longer than 36500 days (leave it out for no timeout)",
            TaskSpecRules.Problem(Spec() with { Timeout = TimeSpan.FromDays(3_000_000) }));
        Assert.Null(TaskSpecRules.Problem(Spec() with { Timeout = TaskSpecRules.MaxTimeout }));
    }

    [Fact]
    public void Problem_should_refuse_a_spec_too_large_for_a_message_measured_as_serialized()
    {
        var environment = new Dictionary<string, string> { ["BIG"] = new string('x', 63_000) };
        var fits = Spec() with { Environment = environment };
        // 20,000 characters pass the length rule, but each 'ü' is 6 bytes (\u00FC) serialized.
        var umlauts = Spec() with { Command = ["echo", new string('ü', 20_000)] };

        Assert.Null(TaskSpecRules.Problem(fits));
        Assert.Matches(@"^the task is 120\d{3} bytes serialized \(command, environment and working directory together\); at most 64000 fit in a message$",
            TaskSpecRules.Problem(umlauts));
    }
}

public sealed class OpenTasksSpecs
{
    [Fact]
    public void A_task_should_be_open_unless_its_last_event_is_final()
    {
        ITaskEvent[] lastEvents =
        [
            new TaskExited("a", 0, T0),
            new TaskStarted("b", 11, 1, "boot", T0),
            new TaskFailedToStart("c", "nope", T0),
            new TaskAccepted("d", Spec("d"), T0),
            new TaskKilled("e", "stop", 143, T0),
            new TaskLost("f", "agent restarted", T0),
            new TaskTimedOut("g", TimeSpan.FromSeconds(1), 137, T0),
        ];

        Assert.Equal(["b", "d"], OpenTasks.Of(lastEvents).Order());
    }
}

public sealed class SchedulerQueriesSpecs
{
    private static SchedulerState Submitted(params (string Agent, string Id)[] tasks) =>
        tasks.Aggregate(SchedulerState.Empty, (state, t) => state.Apply(new TaskSubmitted(t.Agent, Spec(t.Id), T0)));

    [Fact]
    public void Settled_tasks_should_be_final_by_their_agents_word_with_their_whole_log_and_move_out_of_the_state()
    {
        var state = Submitted(("a1", "t1"), ("a1", "t2"), ("a1", "t3"), ("a1", "t4"))
            .Apply(new TaskRejectedByAgent("t1", "no", T0))
            .Apply(new TaskLogCompleted("t1", 0, T0))
            .Apply(new TaskRejectedByAgent("t2", "no", T0)) // final, log not copied yet
            .Apply(new TaskLogCompleted("t3", 0, T0)); // log complete but still open

        Assert.Equal(["t1"], state.Settled(10).Select(t => t.Spec.TaskId));

        var moved = state.Apply(new TasksMovedToHistory(["t1", "t3", "t9"], T0));

        Assert.Equal(["t2", "t3", "t4"], moved.Tasks.Keys.Order());
        Assert.Empty(moved.Settled(10));
    }

    [Fact]
    public void A_task_the_master_concluded_lost_should_not_settle_until_its_agent_reports_it()
    {
        var state = SchedulerState.Empty
            .Apply(new AgentJournalAttached("a1", "j1", T0))
            .Apply(new TaskSubmitted("a1", Spec("t1"), T0))
            .Apply(new AgentEventsAdopted("a1", "j1", 1, [new JournaledTaskEvent(1, new TaskStarted("t1", 42, 1, "boot", T0))]))
            .Apply(new AgentDeclaredLost("a1", "j1", "agent unreachable for 6m", T0))
            .Apply(new TaskLogCompleted("t1", 0, T0));

        Assert.Equal(TaskState.Lost, state.Tasks["t1"].State);
        Assert.Empty(state.Settled(10));
        Assert.Single(state.Apply(new TasksMovedToHistory(["t1"], T0)).Tasks);
    }

    [Fact]
    public void Unfinished_should_leave_out_final_tasks_oldest_first()
    {
        var state = Submitted(("a1", "t1"), ("a1", "t2"), ("a2", "t3"))
            .Apply(new TaskRejectedByAgent("t1", "no", T0));

        Assert.Equal(["t2", "t3"], state.Unfinished(null).Select(t => t.Spec.TaskId));
        Assert.Equal(["t3"], state.Unfinished("a2").Select(t => t.Spec.TaskId));
    }

    [Fact]
    public void RunningCounts_should_count_each_agents_running_tasks()
    {
        var state = Submitted(("a1", "t1"), ("a1", "t2"))
            .Apply(new AgentJournalAttached("a1", "j1", T0))
            .Apply(new AgentEventsAdopted("a1", "j1", 2, [new(1, new TaskStarted("t1", 10, 1, "boot", T0)), new(2, new TaskAccepted("t2", Spec("t2"), T0))]));

        Assert.Equal(new Dictionary<string, int> { ["a1"] = 1 }, state.RunningCounts());
        // Counted once per version of the tasks: asked again, the same counts; after a change, new ones.
        Assert.Same(state.RunningCounts(), state.RunningCounts());
        Assert.Same(state.RunningCounts(), (state with { Epoch = 7 }).RunningCounts());
        var later = state.Apply(new AgentEventsAdopted("a1", "j1", 3, [new(3, new TaskStarted("t2", 11, 1, "boot", T0))]));
        Assert.Equal(new Dictionary<string, int> { ["a1"] = 2 }, later.RunningCounts());
    }
}
