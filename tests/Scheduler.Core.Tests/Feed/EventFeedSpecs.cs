using System.Text.Json;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Feed;
using Scheduler.Core.Scheduling;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests.Feed;

public sealed class EventFeedSpecs
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    /// <summary>Folds the journal events as a reader does, numbering them 1, 2, … as the journal does.</summary>
    private static (SchedulerState State, List<FeedEvent> Events) Fold(params IMasterEvent[] journal) => Fold(SchedulerState.Empty, 1, journal);

    private static (SchedulerState State, List<FeedEvent> Events) Fold(SchedulerState state, long firstSequenceNr, params IMasterEvent[] journal)
    {
        var all = new List<FeedEvent>();
        for (var i = 0; i < journal.Length; i++)
        {
            (state, var events) = EventFeed.Derive(state, journal[i], firstSequenceNr + i);
            all.AddRange(events);
        }

        return (state, all);
    }

    private static AgentEventsAdopted Adopted(long after, params ITaskEvent[] events) =>
        new("a1", "j1", after + events.Length, events.Select((e, i) => new JournaledTaskEvent(after + i + 1, e)).ToList());

    private static readonly IMasterEvent[] Connected =
    [
        new AgentJournalAttached("a1", "j1", T0),
        new AgentCoupled("a1", "j1", 1, [], null, T0),
    ];

    private static TaskStateChanged Task(long sequence, int index, TaskState state, DateTimeOffset at, int? exitCode = null, string? reason = null,
        string taskId = "t-1", string? jobId = null) =>
        new(new EventOffset(sequence, index), taskId, "a1", jobId, state, exitCode, reason, at);

    [Fact]
    public void Derive_should_give_each_step_of_a_task_in_order_even_within_one_adopted_batch()
    {
        var (_, events) = Fold([
            ..Connected,
            new TaskSubmitted("a1", Spec(), T0 + S),
            Adopted(0, new TaskAccepted("t-1", Spec(), T0 + 2 * S), new TaskStarted("t-1", 42, 7, "boot", T0 + 3 * S),
                new TaskExited("t-1", 3, T0 + 4 * S)),
        ]);

        Assert.Equal<FeedEvent>([
            new AgentStateChanged(new EventOffset(2, 1), "a1", AgentState.Connected, null, T0),
            Task(3, 1, TaskState.Pending, T0 + S),
            Task(4, 1, TaskState.Running, T0 + 3 * S),
            Task(4, 2, TaskState.Failed, T0 + 4 * S, exitCode: 3),
        ], events);
    }

    [Fact]
    public void Derive_should_show_running_tasks_Unknown_while_their_agent_is_unreachable_and_Running_again_when_it_couples()
    {
        var (_, events) = Fold([
            ..Connected,
            new TaskSubmitted("a1", Spec(), T0),
            Adopted(0, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 42, 7, "boot", T0)),
            new AgentWentUnreachable("a1", T0 + S, T0 + 2 * S),
            new AgentCoupled("a1", "j1", 2, ["t-1"], null, T0 + 3 * S),
        ]);

        Assert.Equal<FeedEvent>([
            new AgentStateChanged(new EventOffset(5, 1), "a1", AgentState.Unreachable, $"no heartbeat since {T0 + S:O}", T0 + 2 * S),
            Task(5, 2, TaskState.Unknown, T0 + 2 * S),
            new AgentStateChanged(new EventOffset(6, 1), "a1", AgentState.Connected, null, T0 + 3 * S),
            Task(6, 2, TaskState.Running, T0 + 3 * S),
        ], events.Skip(3));
    }

    [Fact]
    public void Derive_should_show_the_Masters_Lost_and_then_the_agents_own_last_word()
    {
        var (_, events) = Fold([
            ..Connected,
            new TaskSubmitted("a1", Spec(), T0),
            Adopted(0, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 42, 7, "boot", T0)),
            new AgentDeclaredLost("a1", "j1", "agent unreachable for 6s", T0 + S),
            Adopted(2, new TaskKilled("t-1", "master unreachable for 5m", 143, T0 + 2 * S, ByReconnectWindow: true)),
        ]);

        Assert.Equal<FeedEvent>([
            new AgentStateChanged(new EventOffset(5, 1), "a1", AgentState.Lost, "agent unreachable for 6s", T0 + S),
            Task(5, 2, TaskState.Lost, T0 + S, reason: "agent unreachable for 6s"),
            Task(6, 1, TaskState.Killed, T0 + 2 * S, exitCode: 143, reason: "master unreachable for 5m"),
        ], events.Skip(3));
    }

    [Fact]
    public void Derive_should_name_the_job_of_a_run_and_give_nothing_for_events_that_change_no_state()
    {
        var job = new JobSpec("hello", ["true"], null, new Dictionary<string, string>(), "a1", [], JobScheduleSpec.OnDemand);
        var (_, events) = Fold([
            ..Connected,
            new JobDefined(job, "config", null, T0),
            new JobFired("hello", 1, "a1", Spec("hello.1"), T0, null, 0, T0 + S),
            new TaskKillRequested("hello.1", "killed on request", T0 + S),
            new MasterPaused("paused on request", T0 + S),
            Adopted(0, new TaskAccepted("hello.1", Spec("hello.1"), T0 + S)),
        ]);

        Assert.Equal<FeedEvent>([Task(4, 1, TaskState.Pending, T0 + S, taskId: "hello.1", jobId: "hello")], events.Skip(1));
    }

    [Fact]
    public void Derive_should_give_the_same_events_from_a_snapshot_of_the_state_as_from_the_first_event()
    {
        IMasterEvent[] journal = [
            ..Connected,
            new TaskSubmitted("a1", Spec(), T0),
            Adopted(0, new TaskAccepted("t-1", Spec(), T0), new TaskStarted("t-1", 42, 7, "boot", T0)),
            new AgentWentUnreachable("a1", T0, T0 + S),
            new AgentCoupled("a1", "j1", 2, ["t-1"], null, T0 + 2 * S),
            Adopted(2, new TaskExited("t-1", 0, T0 + 3 * S)),
        ];
        var whole = Fold(journal).Events;

        // A reader starting at event 5 reads the state after event 4 from a snapshot (JSON, as stored), then derives.
        var (state, _) = Fold(journal[..4]);
        var json = SchedulerSerializer.CreateOptions();
        var snapshot = JsonSerializer.Deserialize<SchedulerState>(JsonSerializer.SerializeToElement(state, json), json)!;
        var fromSnapshot = Fold(snapshot, 5, journal[4..]).Events;

        Assert.Equal(whole.Where(e => e.Offset.Sequence >= 5), fromSnapshot);
    }
}
