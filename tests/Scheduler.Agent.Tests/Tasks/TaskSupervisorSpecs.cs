using Akka.Actor;
using Scheduler.Agent.Journal;
using Scheduler.Contracts;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Agent.Tests.Support;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests.Tasks;

/// <summary>The task supervisor on a real SQLite journal: idempotent start, conflicts, recovery in a new ActorSystem.</summary>
public sealed class TaskSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _dir;
    private readonly AgentSettings _settings;

    public TaskSupervisorSpecs(ITestOutputHelper output) : base(AgentTestSystem.Setup(AgentTestSystem.NewDir()), "agent-specs", output)
    {
        _dir = Sys.Settings.Config.GetString("test.dir");
        _settings = AgentTestSystem.Settings(_dir);
    }

    private IActorRef Supervisor(ActorSystem system, string taskId, ProcessTable processes) =>
        system.ActorOf(TaskSupervisorActor.Props(taskId, "a1", _settings, processes, TimeProvider.System), TaskSupervisorActor.ActorNameOf(taskId));

    private static TaskSpec Spec(string id, params string[] command) => new(id, command, null, new Dictionary<string, string>(), null);

    [Fact]
    public async Task Start_of_a_known_task_should_start_nothing_and_another_command_should_be_rejected_also_after_recovery()
    {
        var processes = new ProcessTable();
        var supervisor = Supervisor(Sys, "t1", processes);
        // It prints: a quiet task's supervisor stops at its end (AgentActorSpecs), this one waits for its log to be asked for.
        var command = "echo once >> " + Path.Combine(_dir, "runs") + "; echo output";
        supervisor.Tell(new StartTask(1, Spec("t1", "sh", "-c", command)));
        await AwaitAssertAsync(() => Assert.Equal("once\n", File.Exists(Path.Combine(_dir, "runs")) ? File.ReadAllText(Path.Combine(_dir, "runs")) : ""));

        supervisor.Tell(new StartTask(1, Spec("t1", "sh", "-c", command)));
        supervisor.Tell(new StartTask(1, Spec("t1", "false")));
        var rejected = await ExpectMsgAsync<StartTaskRejected>();

        Assert.Equal("t1", rejected.TaskId);
        Assert.StartsWith("task id 't1' is already used for command [sh -c echo once", rejected.Reason);
        Assert.EndsWith("refusing [false]", rejected.Reason);

        // A new ActorSystem on the same journal file recovers the task and still refuses the other command.
        await Sys.Terminate();
        using var second = ActorSystem.Create("agent-specs-2", AgentTestSystem.Setup(_dir));
        var probe = new Akka.TestKit.TestProbe(second, new Akka.TestKit.Xunit2.XunitAssertions());
        Supervisor(second, "t1", new ProcessTable()).Tell(new StartTask(1, Spec("t1", "false")), probe.Ref);
        Assert.Equal("t1", (await probe.ExpectMsgAsync<StartTaskRejected>()).TaskId);
        Assert.Equal("once\n", File.ReadAllText(Path.Combine(_dir, "runs")));
        await second.Terminate();
    }

    [Theory]
    [InlineData("start")]
    [InlineData("conflicting start")]
    [InlineData("kill")]
    public async Task A_supervisor_started_for_a_final_task_by_a_command_it_ignores_should_stop_again(string command)
    {
        // The first supervisor journals a final task (it could not start); the agent starts another from the events
        // when a command for the task comes later: a start sent again, a start of another command, a late kill.
        var first = await AgentTestSystem.JournalFailedStartAsync(Sys, _dir, "t-final");
        await first.GracefulStop(TimeSpan.FromSeconds(10));
        // Under the spec's actor, as under the agent: it tells its parent when it has nothing left to do.
        var again = ChildActorOf(TaskSupervisorActor.Props("t-final", "a1", _settings, new ProcessTable(), TimeProvider.System));

        again.Tell(command switch
        {
            "start" => new StartTask(1, Spec("t-final", Path.Combine(_dir, "no-such-program"))),
            "conflicting start" => new StartTask(1, Spec("t-final", "true")),
            _ => new StopTask(1, "t-final", "by user"),
        });

        if (command == "conflicting start")
        {
            await ExpectMsgAsync<StartTaskRejected>(r => Assert.Equal("t-final", r.TaskId));
        }

        await ExpectMsgAsync<SupervisorIdle>(idle => Assert.Equal("t-final", idle.TaskId));
        Assert.Equal(again, LastSender);
        Watch(again);
        again.Tell(StopSupervisor.Instance); // as the agent answers
        await ExpectTerminatedAsync(again);
    }

    [Fact]
    public async Task A_supervisor_asked_to_stop_after_it_got_work_again_should_say_so_and_keep_running()
    {
        // Created for a kill of an id it has never seen (idle at once); the start that came right behind runs the task.
        var supervisor = ChildActorOf(TaskSupervisorActor.Props("t-new", "a1", _settings, new ProcessTable(), TimeProvider.System));
        supervisor.Tell(new StopTask(1, "t-new", "by user"));
        await ExpectMsgAsync<SupervisorIdle>();
        var ran = Path.Combine(_dir, "t-new.ran");
        supervisor.Tell(new StartTask(1, Spec("t-new", "sh", "-c", $"touch {ran}; sleep 30")));

        supervisor.Tell(StopSupervisor.Instance);

        await ExpectMsgAsync<SupervisorBusy>(b => Assert.Equal("t-new", b.TaskId));
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(ran)));
        supervisor.Tell(new StopTask(1, "t-new", "spec done")); // still its supervisor: the kill reaches the process
        await ExpectMsgAsync<SupervisorIdle>(TimeSpan.FromSeconds(20)); // ended (killed) and quiet
    }

    [Fact]
    public async Task A_task_with_a_shorter_kill_grace_should_be_killed_after_it_not_after_the_agents()
    {
        // The agent waits 30 s after SIGTERM; the task asks for 200 ms and ignores SIGTERM.
        var settings = _settings with { KillGrace = TimeSpan.FromSeconds(30) };
        var processes = new ProcessTable();
        var ready = Path.Combine(_dir, "ready");
        var supervisor = Sys.ActorOf(TaskSupervisorActor.Props("t-grace", "a1", settings, processes, TimeProvider.System));
        supervisor.Tell(new StartTask(1, Spec("t-grace", "sh", "-c", $"trap '' TERM; touch {ready}; while true; do sleep 0.1; done")
            with { KillGrace = TimeSpan.FromMilliseconds(200) }));
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(ready)));
        var process = processes.Find("t-grace")!;

        supervisor.Tell(new StopTask(1, "t-grace", "by user"));

        // Far below the agent's 30 s: only the task's own grace can have ended it.
        Assert.Equal(137, await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_task_whose_log_hits_a_full_disk_should_run_to_its_end_with_the_truncation_journaled_before_it()
    {
        // The log file is /dev/full: every write fails with ENOSPC, as on a full disk (no root needed).
        var log = TaskLogFiles.PathFor(_settings.LogsDir, "t-full");
        Directory.CreateDirectory(_settings.LogsDir);
        File.CreateSymbolicLink(log, "/dev/full");
        var supervisor = Supervisor(Sys, "t-full", new ProcessTable());

        supervisor.Tell(new StartTask(1, Spec("t-full", "sh", "-c", "head -c 5000000 /dev/zero; exit 3")));

        await AwaitAssertAsync(async () => Assert.IsType<TaskExited>((await JournaledAsync("t-full")).LastOrDefault()),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

        var events = await JournaledAsync("t-full");
        Assert.Equal(["TaskAccepted", "TaskStarted", "TaskOutputTruncated", "TaskExited"], events.Select(e => e.GetType().Name));
        var truncated = Assert.IsType<TaskOutputTruncated>(events[2]);
        Assert.Equal((0L, "No space left on device"), (truncated.LogBytes, truncated.Error));
        Assert.Equal(3, ((TaskExited)events[3]).ExitCode);
    }

    private async Task<List<ITaskEvent>> JournaledAsync(string taskId) =>
        [.. (await Task.Run(() => TaskEventReader.Of(Sys).ReadAll())).Select(e => e.Event).Where(e => e.TaskId == taskId)];
}
