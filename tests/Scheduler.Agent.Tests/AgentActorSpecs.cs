using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Link;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tests.Support;
using Scheduler.Agent.Tasks;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests;

/// <summary>The AgentActor's own rules, with the test in the Master's place (no master runs).</summary>
public sealed class AgentActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Remoting = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """;

    private readonly string _dir;
    private readonly AgentIdentity _identity = new("journal-1", 42);
    private readonly IActorRef _agent;

    public AgentActorSpecs(ITestOutputHelper output)
        : base(AgentTestSystem.Setup(AgentTestSystem.NewDir(), Remoting + AkkaHocon.ClusterClientWire.ToString()), "agent-actor-specs", output)
    {
        _dir = Sys.Settings.Config.GetString("test.dir");
        _agent = StartAgent("agent");
    }

    /// <summary>
    /// Nothing listens at the master's address: registration and heartbeats go nowhere, and a long
    /// unreachable-after keeps the agent registered for the whole spec.
    /// </summary>
    private IActorRef StartAgent(string name, string extraHocon = "", TimeProvider? time = null)
    {
        var settings = AgentTestSystem.Settings(_dir, """
            scheduler.agent.masters = ["127.0.0.1:9"]
            scheduler.unreachable-after = 5m
            scheduler.agent.reconnect-window = infinite
            """ + extraHocon);
        return Sys.ActorOf(AgentActor.Props(settings, _identity, new AgentRuntime(), time ?? TimeProvider.System), name);
    }

    private TaskSpec Touch(string id) =>
        new(id, ["touch", Path.Combine(_dir, id + ".ran")], null, new Dictionary<string, string>(), null);

    /// <summary>The Master's answer to this agent's registration, in master run <c>run-EPOCH</c>.</summary>
    private AgentRegistered Registered(long epoch) =>
        new("a1", _identity.Incarnation, Epoch: epoch, MasterRunId: $"run-{epoch}", AdoptedOffset: 0, AckedSequence: 0, QuarantineAfter: TimeSpan.FromHours(1));

    /// <summary>
    /// Registers the agent at <paramref name="epoch"/> and starts a task that appends a line to <paramref name="runs"/>
    /// each time it runs; returns its spec once it ran.
    /// </summary>
    private async Task<TaskSpec> RunAppendingTaskAsync(string taskId, long epoch, string runs, string alsoPrints = "")
    {
        var print = alsoPrints.Length > 0 ? $"; echo {alsoPrints}" : "";
        var spec = new TaskSpec(taskId, ["sh", "-c", $"echo ran >> {runs}{print}"], null, new Dictionary<string, string>(), null);
        _agent.Tell(Registered(epoch));
        _agent.Tell(new StartTask(epoch, spec));
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(runs)));
        return spec;
    }

    [Fact]
    public async Task Commands_of_an_older_epoch_than_the_registration_should_be_ignored()
    {
        _agent.Tell(Registered(5));

        _agent.Tell(new StartTask(4, Touch("old")));
        _agent.Tell(new StartTask(5, Touch("current")));

        await AwaitConditionAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "current.ran"))));
        // The agent handles its mailbox in order: the old command was handled before the current one
        // created its supervisor, and an ignored command creates none.
        await Assert.ThrowsAsync<ActorNotFoundException>(() =>
            Sys.ActorSelection($"/user/agent/{TaskSupervisorActor.ActorNameOf("old")}").ResolveOne(TimeSpan.FromSeconds(1)));
        Assert.False(File.Exists(Path.Combine(_dir, "old.ran")));
    }

    [Fact]
    public async Task Commands_before_any_registration_should_be_ignored()
    {
        _agent.Tell(new StartTask(1, Touch("early")));
        _agent.Tell(Registered(1));
        _agent.Tell(new StartTask(1, Touch("registered")));

        await AwaitConditionAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "registered.ran"))));
        await Assert.ThrowsAsync<ActorNotFoundException>(() =>
            Sys.ActorSelection($"/user/agent/{TaskSupervisorActor.ActorNameOf("early")}").ResolveOne(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_start_sent_again_by_a_new_master_run_should_not_run_the_task_again()
    {
        var runs = Path.Combine(_dir, "runs");
        var spec = await RunAppendingTaskAsync("once", 5, runs);

        // A new singleton (fail-over) that had not seen the agent confirm the start sends it again.
        _agent.Tell(Registered(6));
        _agent.Tell(new StartTask(6, spec));
        _agent.Tell(new StartTask(6, Touch("after")));
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(Path.Combine(_dir, "after.ran"))));
        await Task.Delay(500); // an absence can only be seen by waiting: a second run would have appended by now

        Assert.Single(await File.ReadAllLinesAsync(runs));
    }

    private const string FindMasterAfterOneSecond = """

        scheduler.heartbeat-interval = 200ms
        scheduler.agent.find-master-after = 1s
        """;

    private async Task<bool> HasClientAsync(string agent, int generation)
    {
        try
        {
            await Sys.ActorSelection($"/user/{agent}/master-client/{MasterClientActor.ClientName(generation)}").ResolveOne(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ActorNotFoundException)
        {
            return false;
        }
    }

    [Fact]
    public async Task An_agent_no_master_answers_should_look_for_one_again_with_a_new_ClusterClient_each_find_master_after()
    {
        // Nothing listens at the master's address. ClusterClient's own detector (a backstop of 30 s) never notices a
        // receptionist it never reached; the agent's silence rule replaces the client (an HA cluster's other master
        // is found this way when the one the client used dies).
        StartAgent("agent-lonely", FindMasterAfterOneSecond);

        await AwaitConditionAsync(() => HasClientAsync("agent-lonely", 3), TimeSpan.FromSeconds(15));
        Assert.False(await HasClientAsync("agent-lonely", 1));
    }

    [Theory]
    [InlineData(false)] // registered: master heartbeats
    [InlineData(true)] // unregistered: a master refusing the registration answers too
    public async Task An_agent_a_master_answers_should_keep_its_ClusterClient_and_replace_it_once_the_master_is_silent(bool refused)
    {
        // The agent's clock is a fake one that moves only here; its link check still runs every 200 ms.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var agent = StartAgent("agent-answered", FindMasterAfterOneSecond, time);
        object answer = refused ? new AgentRegistrationRefused("a1", _identity.Incarnation, "refused in a spec") : new MasterHeartbeat(1, 0);
        if (!refused)
        {
            agent.Tell(Registered(1));
        }

        // Eight times find-master-after of master answers, one per 0.4 s of the agent's clock. The clock moves only
        // once the agent has handled the answer (Identify is answered in mailbox order), so no link check, however
        // late, sees more than 0.4 s of silence.
        for (var i = 0; i < 20; i++)
        {
            agent.Tell(answer);
            await agent.Ask<ActorIdentity>(new Identify(i), TimeSpan.FromSeconds(10));
            time.Advance(TimeSpan.FromMilliseconds(400));
            await Task.Delay(20); // link checks run on the moved clock too
        }

        await Task.Delay(500); // link checks on the last heartbeat's clock
        Assert.True(await HasClientAsync("agent-answered", 1));
        Assert.False(await HasClientAsync("agent-answered", 2));

        time.Advance(TimeSpan.FromSeconds(1.5));
        await AwaitConditionAsync(() => HasClientAsync("agent-answered", 2), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_start_of_a_task_journaled_before_the_agent_restarted_should_not_run_it_again()
    {
        var runs = Path.Combine(_dir, "runs");
        var spec = await RunAppendingTaskAsync("journaled", 1, runs);
        Watch(_agent);
        Sys.Stop(_agent);
        ExpectTerminated(_agent);

        // A new agent actor on the same journal: it reads which task ids the journal holds, so this start recovers
        // the task's events (and starts nothing) instead of taking it for a new task.
        var restarted = StartAgent("agent-restarted");
        restarted.Tell(Registered(2));
        restarted.Tell(new StartTask(2, spec));

        Assert.Equal(1, await AcceptedAfterAsync(restarted, 2, "journaled"));
    }

    [Fact]
    public async Task A_restarted_supervisor_should_replay_its_task_and_not_run_it_again()
    {
        var runs = Path.Combine(_dir, "runs");
        var spec = await RunAppendingTaskAsync("restarted", 1, runs);

        // A new task's supervisor starts without replaying; one that fails (here: a log request it cannot serve) is
        // restarted by the agent and must replay, or the start sent again below would be taken for a new task.
        EventFilter.Exception<ArgumentOutOfRangeException>().ExpectOne(() => _agent.Tell(new FetchTaskLog(1, "restarted", -1, 100)));
        _agent.Tell(new StartTask(1, spec));

        Assert.Equal(1, await AcceptedAfterAsync(_agent, 1, "restarted"));
    }

    [Fact]
    public async Task A_final_tasks_supervisor_should_stop_once_it_sent_its_whole_log_and_a_new_one_answer_from_its_events()
    {
        // With output: a quiet task's supervisor stops at its end without being asked (the spec below).
        await RunAppendingTaskAsync("done", 1, Path.Combine(_dir, "runs"), alsoPrints: "output");
        var supervisor = await Sys.ActorSelection($"/user/agent/{TaskSupervisorActor.ActorNameOf("done")}").ResolveOne(TimeSpan.FromSeconds(5));
        Watch(supervisor);

        // Asked until the task is final (the whole log is "complete" only then); nothing else asks in this spec.
        TaskLogChunk last;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(last = await _agent.Ask<TaskLogChunk>(new FetchTaskLog(1, "done", 0, 1_000), TimeSpan.FromSeconds(5))).Complete)
        {
            Assert.True(DateTime.UtcNow < deadline, "the task's log never became complete");
            await Task.Delay(50);
        }

        ExpectTerminated(supervisor);
        var again = await _agent.Ask<TaskLogChunk>(new FetchTaskLog(1, "done", 0, 1_000), TimeSpan.FromSeconds(15));
        Assert.True(again.Complete);
        Assert.Equal(last.Data, again.Data);
    }

    [Fact]
    public async Task A_tasks_end_should_say_how_long_its_log_is_and_a_quiet_tasks_supervisor_stop_unasked()
    {
        var gate = Path.Combine(_dir, "gate");
        var waitForGate = $"while [ ! -e {gate} ]; do sleep 0.05; done";
        _agent.Tell(Registered(1));
        _agent.Tell(new StartTask(1, new TaskSpec("quiet", ["sh", "-c", waitForGate], null, new Dictionary<string, string>(), null)));
        _agent.Tell(new StartTask(1, new TaskSpec("talking", ["sh", "-c", $"{waitForGate}; echo hello"], null, new Dictionary<string, string>(), null)));
        var quiet = await SupervisorAsync("quiet");
        var talking = await SupervisorAsync("talking");
        Watch(quiet);
        Watch(talking);

        await File.WriteAllTextAsync(gate, "");

        // Nothing asks for either log here: the quiet task's supervisor has nothing left to do once its end is journaled.
        ExpectTerminated(quiet);
        var ends = await AwaitEndsAsync("quiet", "talking");
        Assert.Equal(0, ends["quiet"].LogBytes);
        var logPath = TaskLogFiles.PathFor(AgentTestSystem.Settings(_dir).LogsDir, "talking");
        Assert.True(ends["talking"].LogBytes > 0);
        Assert.Equal(new FileInfo(logPath).Length, ends["talking"].LogBytes);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the talking task's supervisor waits for its log to be copied
        Assert.Same(talking, await SupervisorAsync("talking"));
    }

    [Fact]
    public async Task A_command_that_comes_while_a_supervisor_is_being_stopped_should_reach_the_next_one()
    {
        await RunAppendingTaskAsync("held", 1, Path.Combine(_dir, "runs"), alsoPrints: "output");
        await AwaitEndsAsync("held");
        var supervisor = await SupervisorAsync("held");
        Watch(supervisor);

        // As the supervisor says when it has nothing left to do; the log request is in the agent's mailbox right after
        // it, so the agent handles it while the supervisor is being stopped (the request to stop is already on the way).
        _agent.Tell(new SupervisorIdle("held"), supervisor);
        var chunk = await _agent.Ask<TaskLogChunk>(new FetchTaskLog(1, "held", 0, 1_000), TimeSpan.FromSeconds(15));

        ExpectTerminated(supervisor);
        Assert.True(chunk.Complete);
        Assert.EndsWith("output\n", System.Text.Encoding.UTF8.GetString(chunk.Data));
    }

    [Fact]
    public async Task A_command_held_for_a_supervisor_that_has_work_again_should_reach_it_and_it_keep_running()
    {
        var ran = Path.Combine(_dir, "busy.ran");
        _agent.Tell(Registered(1));
        _agent.Tell(new StartTask(1, new TaskSpec("busy", ["sh", "-c", $"touch {ran}; sleep 30"], null, new Dictionary<string, string>(), null)));
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(ran)));
        var supervisor = await SupervisorAsync("busy");

        // An idle report that is out of date by the time the supervisor is asked to stop: its process runs.
        _agent.Tell(new SupervisorIdle("busy"), supervisor);
        var chunk = await _agent.Ask<TaskLogChunk>(new FetchTaskLog(1, "busy", 0, 1_000), TimeSpan.FromSeconds(15));

        Assert.False(chunk.Complete);
        Assert.Same(supervisor, await SupervisorAsync("busy"));
        _agent.Tell(new StopTask(1, "busy", "spec done"));
        await AwaitEndsAsync("busy");
    }

    [Fact]
    public async Task A_task_started_through_a_supervisor_made_for_its_kill_should_be_replayed_by_the_next_one_not_run_again()
    {
        var runs = Path.Combine(_dir, "runs");
        var spec = new TaskSpec("k1", ["sh", "-c", $"echo ran >> {runs}"], null, new Dictionary<string, string>(), null);
        _agent.Tell(Registered(1));
        // A kill of an id this agent never had starts its supervisor; the start right behind it reaches that one.
        _agent.Tell(new StopTask(1, "k1", "by user"));
        _agent.Tell(new StartTask(1, spec));
        await AwaitEndsAsync("k1");
        // The quiet task's supervisor is stopped after its end; a start sent again gets a new one.
        await AwaitAssertAsync(() => Assert.ThrowsAsync<ActorNotFoundException>(() =>
            Sys.ActorSelection($"/user/agent/{TaskSupervisorActor.ActorNameOf("k1")}").ResolveOne(TimeSpan.FromSeconds(1))));

        _agent.Tell(new StartTask(1, spec));

        Assert.Equal(1, await AcceptedAfterAsync(_agent, 1, "k1"));
        Assert.Single(await File.ReadAllLinesAsync(runs));
    }

    private async Task<IActorRef> SupervisorAsync(string taskId)
    {
        IActorRef? found = null;
        await AwaitAssertAsync(async () =>
            found = await Sys.ActorSelection($"/user/agent/{TaskSupervisorActor.ActorNameOf(taskId)}").ResolveOne(TimeSpan.FromSeconds(1)));
        return found!;
    }

    /// <summary>The journaled end of each task, once all of them are journaled.</summary>
    private async Task<Dictionary<string, IProcessEnded>> AwaitEndsAsync(params string[] taskIds)
    {
        Dictionary<string, IProcessEnded> ends = [];
        await AwaitConditionAsync(async () =>
        {
            var events = await Task.Run(() => TaskEventReader.Of(Sys).ReadAll());
            ends = events.Select(e => e.Event).OfType<IProcessEnded>().ToDictionary(e => e.TaskId);
            return taskIds.All(ends.ContainsKey);
        });
        return ends;
    }

    /// <summary>
    /// How many times the task's start was journaled, once <paramref name="agent"/>'s supervisor of it handled every
    /// command sent before: a log request answered by the same supervisor is the barrier (commands wait while it persists).
    /// </summary>
    private async Task<int> AcceptedAfterAsync(IActorRef agent, long epoch, string taskId)
    {
        await agent.Ask<TaskLogChunk>(new FetchTaskLog(epoch, taskId, 0, 100), TimeSpan.FromSeconds(15));
        var events = await Task.Run(() => TaskEventReader.Of(Sys).ReadAll());
        return events.Count(e => e.Event is TaskAccepted && e.Event.TaskId == taskId);
    }
}
