using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Agent.Journal;
using Scheduler.Agent.Tests.Support;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests;

/// <summary>
/// The agent's reconnect window on its own (fake) clock, with the test in the Master's place: the agent kills its
/// tasks when no Master answer has acknowledged one of its messages for the window, dated by when it sent them.
/// </summary>
public sealed class ReconnectWindowSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Remoting = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly AgentRuntime _runtime;
    private readonly IActorRef _agent;

    public ReconnectWindowSpecs(ITestOutputHelper output)
        : base(AgentTestSystem.Setup(AgentTestSystem.NewDir(), Remoting + AkkaHocon.ClusterClientWire.ToString()), "reconnect-window-specs", output)
    {
        var dir = Sys.Settings.Config.GetString("test.dir");
        // Nothing listens at the master's address. When the fake clock jumps, the agent registers again: its
        // registrations are numbered like heartbeats, so answers to either make round trips.
        var settings = AgentTestSystem.Settings(dir, """
            scheduler.agent.masters = ["127.0.0.1:9"]
            scheduler.heartbeat-interval = 100ms
            scheduler.agent.register-interval = 100ms
            scheduler.unreachable-after = 5s
            scheduler.agent.reconnect-window = 10s
            """);
        _runtime = new AgentRuntime(startedAt: _time.GetUtcNow());
        _agent = Sys.ActorOf(AgentActor.Props(settings, new AgentIdentity("journal-1", 42), _runtime, _time), "agent");
        _agent.Tell(new AgentRegistered("a1", 42, Epoch: 1, MasterRunId: "run-1", AdoptedOffset: 0, AckedSequence: 0, QuarantineAfter: TimeSpan.FromHours(2)));
    }

    private async Task<int> StartSleepAsync(string taskId)
    {
        _agent.Tell(new StartTask(1, new TaskSpec(taskId, ["sleep", "60"], null, new Dictionary<string, string>(), null)));
        await AwaitConditionAsync(() => Task.FromResult(_runtime.Processes.Find(taskId) is not null));
        return _runtime.Processes.Find(taskId)!.Identity.Pid;
    }

    private async Task<TaskKilled?> KilledAsync(string taskId) =>
        (await Task.Run(() => TaskEventReader.Of(Sys).ReadAll())).Select(e => e.Event)
        .OfType<TaskKilled>()
        .FirstOrDefault(k => k.TaskId == taskId);

    /// <summary>
    /// Acknowledges heartbeats (or registrations) until one counts as a round trip; returns its sequence number.
    /// They go out every 100 ms of real time and are dated by the fake clock.
    /// </summary>
    private async Task<long> RoundTripAsync()
    {
        var before = _runtime.LastRoundTrip;
        for (long sequence = 1; sequence < 1_000; sequence++)
        {
            _agent.Tell(new MasterHeartbeat(1, sequence));
            await Task.Delay(250); // slower than the agent numbers its messages, so the acknowledgements catch up
            if (_runtime.LastRoundTrip != before)
            {
                Assert.Equal(_time.GetUtcNow(), _runtime.LastRoundTrip);
                return sequence;
            }
        }

        throw new TimeoutException("no heartbeat was acknowledged");
    }

    [Fact]
    public async Task Tasks_should_be_killed_once_the_window_passes_without_a_round_trip_and_not_before()
    {
        await StartSleepAsync("t-1");
        await RoundTripAsync();

        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        await Task.Delay(600); // several link checks
        Assert.True(_runtime.Processes.Find("t-1")!.Identity.IsAlive());
        Assert.Null(await KilledAsync("t-1"));

        _time.Advance(TimeSpan.FromMilliseconds(2));
        await AwaitConditionAsync(async () => await KilledAsync("t-1") is not null, TimeSpan.FromSeconds(10));

        var killed = (await KilledAsync("t-1"))!;
        Assert.True(killed.ByReconnectWindow);
        Assert.Equal("master unreachable for 10s", killed.Reason);
    }

    [Fact]
    public async Task An_answer_arriving_late_should_count_from_when_its_heartbeat_was_sent()
    {
        await StartSleepAsync("t-2");
        var acked = await RoundTripAsync();
        await Task.Delay(1_000); // more heartbeats, all sent at this (fake) moment
        _time.Advance(TimeSpan.FromSeconds(9));

        // An answer that queued up (e.g. while the process was frozen) acknowledges an old heartbeat: it
        // proves the link worked back then, not now, so the window still ends 10 s after that heartbeat.
        _agent.Tell(new MasterHeartbeat(1, acked + 2));
        _time.Advance(TimeSpan.FromSeconds(1.1));

        await AwaitConditionAsync(async () => await KilledAsync("t-2") is not null, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_fresh_round_trip_should_keep_the_tasks_running()
    {
        await StartSleepAsync("t-3");
        await RoundTripAsync();
        _time.Advance(TimeSpan.FromSeconds(9));

        await RoundTripAsync(); // a heartbeat sent after the advance
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(600);

        Assert.Null(await KilledAsync("t-3"));
        Assert.True(_runtime.Processes.Find("t-3")!.Identity.IsAlive());
        await _runtime.Processes.Find("t-3")!.KillAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_start_arriving_after_the_window_passed_should_not_run()
    {
        var acked = await RoundTripAsync();
        // Old answers keep the agent registered (each is contact, none is a round trip) while the window runs out,
        // in steps shorter than unreachable-after; then a start arrives, as one that waited out a freeze would.
        for (var step = 0; step < 3; step++)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            _agent.Tell(new MasterHeartbeat(1, acked));
            await Task.Delay(100);
        }

        _agent.Tell(new StartTask(1, new TaskSpec("t-late", ["sleep", "60"], null, new Dictionary<string, string>(), null)));
        await Task.Delay(600);

        Assert.Null(_runtime.Processes.Find("t-late"));
    }
}
