using Akka.Actor;
using Akka.Remote.Transport;
using Scheduler.Agent.Processes;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Tasks;
using Scheduler.Master.Tests.Support;
using Scheduler.TestKit;

namespace Scheduler.Master.Tests;

/// <summary>
/// The connection-loss scenarios of DESIGN.md's reconnect protocol, with the link between the Master and an
/// agent cut by the throttler's blackhole (real sockets, real processes, real SQLite journals).
/// The Master gives agents up after 4 s (lost-after); agents with <see cref="ShortWindow"/> kill their tasks
/// after 3 s without a round trip and a kill-grace of 1 s, so the Master's deadline for them is 3 + 1 + 1.5 s.
/// </summary>
public sealed class ConnectionLossSpecs : IAsyncLifetime
{
    private const string ShortWindow = "scheduler.agent.reconnect-window = 3s";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LostDeadline = TimeSpan.FromSeconds(5.5);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartWithAsync("scheduler.master.lost-after = 4s", partitionable: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string File(string name) => Path.Combine(_cluster.Root, name);

    /// <summary>A shell task that prints, waits until the test creates <paramref name="go"/>, prints again and ends 0.</summary>
    private Task<TaskView> SubmitGatedAsync(string go) =>
        _cluster.SubmitAsync("a1", "sh", "-c", $"echo before; while [ ! -f {go} ]; do sleep 0.05; done; echo after");

    private Task<TaskView> WaitForRunningAsync(string taskId) =>
        _cluster.WaitForTaskAsync(taskId, t => t.State == TaskState.Running, "running");

    [Fact]
    public async Task Task_that_finishes_during_a_partition_should_end_Succeeded_with_its_whole_log_after_the_heal()
    {
        await _cluster.StartAgentAsync("a1");
        var task = await SubmitGatedAsync(File("go"));
        await WaitForRunningAsync(task.TaskId);
        var process = _cluster.Processes.Find(task.TaskId)!;

        await _cluster.PartitionAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        Assert.Equal(TaskState.Unknown, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        var refused = await _cluster.AskAsync<RequestFailed>(new SubmitTask("a1", TestCluster.Spec("during-cut", ["true"])));
        Assert.Equal(ErrorCode.AgentUnavailable, refused.Code);
        Assert.Matches(@"^agent 'a1' is unreachable \(no heartbeat for [0-9.]+s\); the task was not accepted$", refused.Message);
        await System.IO.File.WriteAllTextAsync(File("go"), "");
        Assert.Equal(0, await process.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
        await _cluster.HealAsync("a1");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Succeeded, final.State);
        Assert.Equal(0, final.ExitCode);
        Assert.Equal("before\nafter", await _cluster.WaitForCompleteLogAsync(task.TaskId));
        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        var events = await _cluster.EventsAsync("a1");
        var unreachable = Assert.Single(events, e => e.Kind == SchedulerEventKind.AgentUnreachable);
        Assert.Equal([task.TaskId], unreachable.TaskIds);
        Assert.Contains(events, e => e.Kind == SchedulerEventKind.AgentReconnected && e.Sequence > unreachable.Sequence);
    }

    [Fact]
    public async Task Partition_longer_than_the_window_should_let_the_agent_kill_the_task_and_the_master_show_Lost_then_Killed()
    {
        await _cluster.StartAgentAsync("a1", extraHocon: ShortWindow);
        var task = await _cluster.SubmitAsync("a1", "sleep", "60");
        await WaitForRunningAsync(task.TaskId);
        var identity = _cluster.Processes.Find(task.TaskId)!.Identity;

        var cut = DateTimeOffset.UtcNow;
        await _cluster.PartitionAsync("a1");
        var lost = await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Lost, "Lost");
        Assert.StartsWith("agent unreachable for ", lost.Reason);
        Assert.True(lost.EndedAt - cut >= LostDeadline - Heartbeat, $"recorded Lost {lost.EndedAt - cut} after the cut");
        // The agent acted first: by the Master's deadline the process is gone.
        Assert.False(identity.IsAlive());
        await _cluster.HealAsync("a1");

        var final = await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Killed, "Killed by the agent");
        Assert.StartsWith("master unreachable for ", final.Reason);
        // Never before the window (counted from the last round trip, at most one heartbeat before the cut),
        // and within the window + kill-grace + a margin.
        var killedAfter = final.EndedAt!.Value - cut;
        Assert.InRange(killedAfter, Window - Heartbeat, Window + KillGrace + TimeSpan.FromSeconds(1));
        var events = await _cluster.EventsAsync("a1");
        Assert.Contains(events, e => e.Kind == SchedulerEventKind.AgentLost && e.TaskIds.SequenceEqual([task.TaskId]));
        Assert.Contains(events, e => e.Kind == SchedulerEventKind.TasksKilledByWindow && e.TaskIds.SequenceEqual([task.TaskId]));
    }

    [Fact]
    public async Task One_way_cut_from_agent_to_master_longer_than_the_window_should_still_let_the_agent_kill_its_task()
    {
        await _cluster.StartAgentAsync("a1", extraHocon: ShortWindow);
        var task = await _cluster.SubmitAsync("a1", "sleep", "60");
        await WaitForRunningAsync(task.TaskId);
        var identity = _cluster.Processes.Find(task.TaskId)!.Identity;
        var agentPath = new RootActorPath(((ExtendedActorSystem)_cluster.Agent("a1")).Provider.DefaultAddress) / "user" / "agent";

        // Master → agent still works; the agent's heartbeats never arrive. Old acknowledgements keep coming
        // (as if they had queued up): they must not count as round trips.
        await _cluster.PartitionAsync("a1", ThrottleTransportAdapter.Direction.Receive);
        var agent = _cluster.Master.ActorSelection(agentPath);
        var deadline = DateTime.UtcNow + Window + KillGrace + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < deadline && identity.IsAlive())
        {
            agent.Tell(new MasterHeartbeat(1, 1));
            await Task.Delay(100);
        }

        Assert.False(identity.IsAlive());
        await _cluster.HealAsync("a1");
        var final = await _cluster.WaitForTaskAsync(task.TaskId, t => t.State == TaskState.Killed, "Killed by the agent");
        Assert.StartsWith("master unreachable for ", final.Reason);
    }

    [Fact]
    public async Task Kill_requested_while_the_agent_is_unreachable_should_be_delivered_after_the_heal()
    {
        await _cluster.StartAgentAsync("a1");
        var task = await _cluster.SubmitAsync("a1", "sleep", "60");
        await WaitForRunningAsync(task.TaskId);
        await _cluster.PartitionAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable);

        var answer = await _cluster.AskAsync<TaskResult>(new KillTask(task.TaskId));
        Assert.Equal(TaskState.Unknown, answer.Task.State);
        await _cluster.HealAsync("a1");

        var final = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Killed, final.State);
        Assert.Equal("killed on request", final.Reason);
    }

    [Fact]
    public async Task Agent_process_restart_while_disconnected_should_replay_its_journal_on_reconnect()
    {
        await _cluster.StartAgentAsync("a1");
        var finishes = await SubmitGatedAsync(File("go"));
        var runs = await _cluster.SubmitAsync("a1", "sleep", "60");
        await WaitForRunningAsync(finishes.TaskId);
        await WaitForRunningAsync(runs.TaskId);
        var orphan = _cluster.Processes.Find(runs.TaskId)!.Identity;
        await _cluster.PartitionAsync("a1");
        await _cluster.WaitForAgentAsync("a1", AgentState.Unreachable);
        await System.IO.File.WriteAllTextAsync(File("go"), "");
        await _cluster.WaitForAgentJournalAsync("a1", e => e is TaskExited x && x.TaskId == finishes.TaskId, "the exit");

        // The agent process dies while cut off; a new one (new process table) starts on the same data folder.
        await _cluster.TerminateAgentAsync("a1");
        await _cluster.StartAgentAsync("a1", new ProcessTable());

        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(finishes.TaskId)).State);
        Assert.Equal("before\nafter", await _cluster.WaitForCompleteLogAsync(finishes.TaskId));
        var lost = await _cluster.WaitForFinalAsync(runs.TaskId);
        Assert.Equal(TaskState.Lost, lost.State);
        Assert.Equal("agent restarted; its orphaned process was killed", lost.Reason);
        Assert.False(orphan.IsAlive());
    }

    [Fact]
    public async Task Partition_longer_than_the_masters_watch_should_make_the_agent_start_a_new_incarnation_keeping_its_task()
    {
        // An infinite window: the task must survive the Master's quarantine of the agent's ActorSystem.
        var host = await _cluster.StartAgentAsync("a1", extraHocon: "scheduler.agent.reconnect-window = infinite");
        var task = await SubmitGatedAsync(File("go"));
        await WaitForRunningAsync(task.TaskId);

        await _cluster.PartitionAsync("a1");
        await TestCluster.WaitUntilAsync(() => host.Replacements > 0, "a new agent incarnation");
        await _cluster.HealAsync("a1");

        await _cluster.WaitForAgentAsync("a1", AgentState.Connected);
        var reconnected = (await _cluster.EventsAsync("a1")).Last(e => e.Kind == SchedulerEventKind.AgentReconnected);
        Assert.Equal([task.TaskId], reconnected.TaskIds);
        Assert.Equal(TaskState.Running, (await _cluster.QueryAsync<TaskResult>(new GetTask(task.TaskId))).Task.State);
        await System.IO.File.WriteAllTextAsync(File("go"), "");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(task.TaskId)).State);
        Assert.Equal("before\nafter", await _cluster.WaitForCompleteLogAsync(task.TaskId));
    }

    [Fact]
    public async Task Agent_coming_back_with_a_wiped_data_folder_should_be_a_new_journal_and_its_old_tasks_Lost()
    {
        await _cluster.StartAgentAsync("a1");
        var task = await _cluster.SubmitAsync("a1", "sleep", "60");
        await WaitForRunningAsync(task.TaskId);
        await _cluster.TerminateAgentAsync("a1");
        // Pooled SQLite connections would keep the deleted journal file alive inside this test process.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_cluster.AgentDataDir("a1"), recursive: true);

        await _cluster.StartAgentAsync("a1", new ProcessTable());

        var lost = await _cluster.WaitForFinalAsync(task.TaskId);
        Assert.Equal(TaskState.Lost, lost.State);
        Assert.Equal("agent journal replaced", lost.Reason);
        var replaced = Assert.Single(await _cluster.EventsAsync("a1"), e => e.Kind == SchedulerEventKind.AgentJournalReplaced);
        Assert.Equal([task.TaskId], replaced.TaskIds);
        var next = await _cluster.SubmitAsync("a1", "true");
        Assert.Equal(TaskState.Succeeded, (await _cluster.WaitForFinalAsync(next.TaskId)).State);
    }
}
