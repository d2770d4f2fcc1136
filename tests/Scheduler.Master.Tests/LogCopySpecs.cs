using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The Master's copies of task logs. A log copy is a persistent actor, whose start reads the journal; a task that
/// entered this Master run has nothing stored yet, so its copy starts only when the agent has output to store.
/// Settled tasks stay in the Master's state here (no move to the history table), so a copy once started stays.
/// </summary>
public sealed class LogCopySpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartWithAsync("scheduler.master.history-move-interval = 1h", partitionable: false, "a1");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Quiet_tasks_should_get_complete_empty_logs_recorded_once_without_a_log_copy()
    {
        var tasks = new List<TaskView>();
        for (var i = 0; i < 3; i++)
        {
            tasks.Add(await _cluster.SubmitAsync("a1", "true"));
        }

        // Its end (failed to start) says nothing of its log: the Master asks the agent, as it does an older agent.
        tasks.Add(await _cluster.SubmitAsync("a1", "/no/such/command"));

        foreach (var task in tasks)
        {
            Assert.Equal(task.TaskId == tasks[^1].TaskId ? TaskState.Failed : TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        }

        var completed = await TestCluster.WaitForAsync(() => LogsCompletedAsync(_cluster), c => tasks.All(t => c.Any(l => l.TaskId == t.TaskId)),
            c => $"log completions recorded: {string.Join(", ", c?.Select(l => l.TaskId) ?? [])}");
        Assert.Equal(tasks.Select(t => t.TaskId).Order(), completed.Select(l => l.TaskId).Order()); // once each
        Assert.All(completed, l => Assert.Equal(0, l.Length));
        Assert.Null(await LogCopyAsync(serial: 1)); // no copy was ever started

        var (data, complete) = await _cluster.MasterLogAsync(tasks[0].TaskId);
        Assert.Empty(data);
        Assert.True(complete);
    }

    [Fact]
    public async Task Quiet_tasks_log_should_be_complete_with_its_adopted_end_without_asking_the_agent()
    {
        // No log copy round comes in this spec: a log complete now can only have been taken from the task's end.
        await using var cluster = await TestCluster.StartWithAsync(
            "scheduler.master { history-move-interval = 1h, log-copy-interval = 1h }", partitionable: false, "a1");
        var task = await cluster.SubmitAsync("a1", "true");

        var completed = await TestCluster.WaitForAsync(() => LogsCompletedAsync(cluster), c => c.Any(l => l.TaskId == task.TaskId),
            _ => "the quiet task's log was never recorded complete");
        Assert.Equal(0, Assert.Single(completed).Length);
        var (data, complete) = await cluster.MasterLogAsync(task.TaskId);
        Assert.Empty(data);
        Assert.True(complete);
    }

    [Fact]
    public async Task Task_quiet_at_first_should_get_a_log_copy_with_its_whole_output_once_it_writes()
    {
        var gate = Path.Combine(_cluster.Root, "gate");
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -e '{gate}' ]; do sleep 0.05; done; echo first; echo second");
        await _cluster.WaitForTaskAsync(task.TaskId, TaskState.Running);
        Assert.Null(await LogCopyAsync(serial: 1)); // asked while empty: no copy yet

        await File.WriteAllTextAsync(gate, "");

        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        Assert.Null(await _cluster.CompareLogAsync("a1", task.TaskId));
        Assert.NotNull(await LogCopyAsync(serial: 1));
        var completed = Assert.Single(await LogsCompletedAsync(_cluster));
        Assert.Equal(new FileInfo(_cluster.AgentLogPath("a1", task.TaskId)).Length, completed.Length);
    }

    [Fact]
    public async Task Log_completion_reported_again_should_be_stored_once()
    {
        var task = await _cluster.SubmitAsync("a1", "true");
        await TestCluster.WaitForAsync(() => LogsCompletedAsync(_cluster), c => c.Any(l => l.TaskId == task.TaskId), _ => "the log completion was never recorded");

        // As a log copy asked again before its first report was stored would: the same completion a second time.
        var scheduler = await SchedulerAsync();
        scheduler.Tell(new TaskLogCompleted(task.TaskId, 0, DateTimeOffset.UtcNow));
        await scheduler.Ask<TaskResult>(new GetTask(task.TaskId), Timeout); // after it: a write would have been waited for

        Assert.Single(await LogsCompletedAsync(_cluster));
    }

    [Fact]
    public async Task Quiet_task_of_an_earlier_master_run_should_get_its_log_copy_actor()
    {
        var gate = Path.Combine(_cluster.Root, "gate");
        var task = await _cluster.SubmitAsync("a1", "sh", "-c", $"while [ ! -e '{gate}' ]; do sleep 0.05; done; echo after-restart");
        await _cluster.WaitForTaskAsync(task.TaskId, TaskState.Running);

        // A new run cannot know that an earlier one stored nothing of its output: its copy starts and reads the journal.
        await _cluster.RestartMasterAsync();
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        await TestCluster.WaitForAsync(() => LogCopyAsync(serial: 1), copy => copy is not null,
            _ => "no log copy was started for the running task of the earlier run");

        await File.WriteAllTextAsync(gate, "");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        Assert.Null(await _cluster.CompareLogAsync("a1", task.TaskId));
    }

    private Task<IActorRef> SchedulerAsync() =>
        _cluster.Master.ActorSelection("/user/scheduler/singleton/scheduler-*").ResolveOne(Timeout);

    /// <summary>The log copy actor the scheduler started as its <paramref name="serial"/>-th (they are named tasklog-N), or null.</summary>
    private async Task<IActorRef?> LogCopyAsync(int serial)
    {
        var scheduler = await SchedulerAsync();
        var identity = await _cluster.Master.ActorSelection(scheduler.Path / $"tasklog-{serial}").Ask<ActorIdentity>(new Identify(serial), Timeout);
        return identity.Subject;
    }

    /// <summary>Every log completion the scheduler of <paramref name="cluster"/> has journaled.</summary>
    private static async Task<IReadOnlyList<TaskLogCompleted>> LogsCompletedAsync(TestCluster cluster) =>
        (await PersistenceQuery.Get(cluster.Master).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByPersistenceId(SchedulerActor.JournalPersistenceId, 0, long.MaxValue)
            .Where(e => e.Event is TaskLogCompleted)
            .Select(e => (TaskLogCompleted)e.Event)
            .RunWith(Sink.Seq<TaskLogCompleted>(), cluster.Master.Materializer())).ToList();
}
