using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Journal;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Tests;

public sealed class SerializationSpecs : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));

    private static readonly TaskSpec Spec = new(
        "t-1",
        ["sh", "-c", "echo hi"],
        "/tmp",
        new Dictionary<string, string> { ["A"] = "1", ["B"] = "zwei" },
        TimeSpan.FromSeconds(30));

    private static readonly JobSpec Job = new(
        "hello",
        ["sh", "-c", "echo hi"],
        null,
        new Dictionary<string, string> { ["A"] = "1" },
        null,
        ["linux", "gpu"],
        new JobScheduleSpec("0 30 2 * * *", "Europe/Berlin"),
        TimeSpan.FromMinutes(5),
        MaxConcurrent: 2,
        Restartable: true,
        new RetrySpec(3, TimeSpan.FromSeconds(10)),
        MisfirePolicy.FireAll);

    private readonly ActorSystem _system;
    private readonly IActorRef _actor;

    public SerializationSpecs()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(SerializationConfig.Hocon);
        _system = ActorSystem.Create("t", config);
        _actor = _system.ActorOf(Props.Create(() => new Sink()), "sink");
    }

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var type in MessageManifests.Types)
        {
            data.Add(MessageManifests.ManifestOf(type));
        }

        return data;
    }

    [Fact]
    public void TaskKilled_journaled_before_ByReconnectWindow_existed_should_read_as_not_by_the_window()
    {
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(TaskKilled));
        var old = """{"taskId":"t-1","reason":"by user","exitCode":137,"at":"2025-03-04T05:06:07+02:00"}"""u8.ToArray();

        var back = (TaskKilled)serializer.FromBinary(old, MessageManifests.ManifestOf(typeof(TaskKilled)));

        Assert.Equal(new TaskKilled("t-1", "by user", 137, At), back);
        Assert.False(back.ByReconnectWindow);
    }

    [Fact]
    public void A_tasks_end_journaled_before_LogBytes_existed_should_read_as_not_measured_and_a_measured_one_keep_it()
    {
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(TaskExited));
        var old = """{"taskId":"t-1","exitCode":0,"at":"2025-03-04T05:06:07+02:00"}"""u8.ToArray();

        var back = (TaskExited)serializer.FromBinary(old, MessageManifests.ManifestOf(typeof(TaskExited)));
        Assert.Null(back.LogBytes); // the Master asks the agent for such a log, as before

        var measured = new TaskTimedOut("t-2", TimeSpan.FromSeconds(5), 143, At, LogBytes: 0);
        Assert.Equal(measured, serializer.FromBinary(serializer.ToBinary(measured), serializer.Manifest(measured)));
    }

    [Fact]
    public void MessageManifests_should_give_every_type_a_unique_manifest()
    {
        var manifests = MessageManifests.Types.Select(MessageManifests.ManifestOf).ToList();

        Assert.Equal(70, manifests.Count);
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        foreach (var type in MessageManifests.Types)
        {
            Assert.Equal(type, MessageManifests.TypeOf(MessageManifests.ManifestOf(type)));
        }
    }

    [Fact]
    public void MessageManifests_should_register_every_concrete_scheduler_message()
    {
        var registered = MessageManifests.Types.ToHashSet();
        var missing = typeof(ISchedulerMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ISchedulerMessage).IsAssignableFrom(t))
            .Where(t => !registered.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void MessageManifests_should_only_register_scheduler_messages()
    {
        Assert.All(MessageManifests.Types, t => Assert.True(typeof(ISchedulerMessage).IsAssignableFrom(t), t.FullName));
    }

    [Fact]
    public void MessageManifests_should_reject_unknown_types_and_manifests()
    {
        var byType = Assert.Throws<ArgumentException>(() => MessageManifests.ManifestOf(typeof(TaskView)));
        var byManifest = Assert.Throws<ArgumentException>(() => MessageManifests.TypeOf("xx.nope"));

        Assert.Contains("Scheduler.Contracts.Tasks.TaskView has no manifest", byType.Message);
        Assert.Contains("Unknown message manifest 'xx.nope'", byManifest.Message);
    }

    [Fact]
    public void SchedulerSerializer_should_answer_garbage_and_cut_off_payloads_with_a_SerializationException_naming_the_manifest()
    {
        // Seeded, so a failure replays: per manifest random bytes of a few sizes, every cut of a real payload, a few
        // flipped bytes, and an unknown manifest. Each answer is the message or a SerializationException, never a hang.
        var random = new Random(20261129);
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(TaskKilled));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var attempts = 0;
        foreach (var type in MessageManifests.Types)
        {
            var manifest = MessageManifests.ManifestOf(type);
            var valid = serializer.ToBinary(Sample(type));
            var payloads = new List<byte[]> { Array.Empty<byte>(), "null"u8.ToArray(), "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["u8.ToArray() };
            payloads.AddRange(new[] { 1, 7, 100, 4096 }.Select(size => Bytes(random, size)));
            payloads.AddRange(Enumerable.Range(0, 8).Select(i => valid[..(valid.Length * i / 8)]));
            payloads.AddRange(Enumerable.Range(0, 4).Select(_ =>
            {
                var flipped = (byte[])valid.Clone();
                flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
            }));
            foreach (var payload in payloads)
            {
                attempts++;
                try
                {
                    Assert.IsType(type, serializer.FromBinary(payload, manifest));
                }
                catch (System.Runtime.Serialization.SerializationException e)
                {
                    Assert.StartsWith($"Cannot read a '{manifest}' message of {payload.Length} bytes: ", e.Message);
                }
            }
        }

        var unknown = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(Bytes(random, 50), "zz.from-the-future"));
        Assert.StartsWith("Cannot read a 'zz.from-the-future' message of 50 bytes: Unknown message manifest 'zz.from-the-future'", unknown.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{attempts} payloads took {clock.Elapsed}");
    }

    private static byte[] Bytes(Random random, int size)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void SchedulerSerializer_should_round_trip_every_message(string manifest)
    {
        var type = MessageManifests.TypeOf(manifest);
        var sample = Sample(type);
        Assert.IsType(type, sample);

        var serializer = Assert.IsType<SchedulerSerializer>(_system.Serialization.FindSerializerForType(type));
        var bytes = serializer.ToBinary(sample);
        Assert.Equal(manifest, serializer.Manifest(sample));

        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(type, back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Fact]
    public void SchedulerSerializer_should_resolve_actor_refs_back_to_the_same_actor()
    {
        var message = new RegisterAgent("a1", "j1", 3, _actor, null, TimeSpan.FromSeconds(5), ["gpu"], 1);
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(RegisterAgent));

        var back = (RegisterAgent)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));

        Assert.Equal(_actor, back.AgentRef);
        Assert.Equal(_actor.Path, back.AgentRef.Path);
        Assert.Null(back.ReconnectWindow);
        Assert.Equal(["gpu"], back.Labels);
    }

    [Fact]
    public void SchedulerSerializer_should_keep_concrete_event_types_inside_batches()
    {
        var events = AllEvents().Select((e, i) => new JournaledTaskEvent(i + 1, e)).ToList();
        var batch = new AgentEventBatch("a1", "j1", 2, 0, events.Count, events);
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(AgentEventBatch));

        var back = (AgentEventBatch)serializer.FromBinary(serializer.ToBinary(batch), "ag.events");

        Assert.Equal(events.Select(e => e.Event.GetType()), back.Events.Select(e => e.Event.GetType()));
        Assert.Equal(events.Select(e => e.Offset), back.Events.Select(e => e.Offset));
        var accepted = Assert.IsType<TaskAccepted>(back.Events[0].Event);
        Assert.True(accepted.Spec.SameCommandAs(Spec));
        Assert.Equal(At, accepted.At);
        Assert.Equal(new TaskStarted("t-1", 42, 9000, "boot", At), back.Events[1].Event);
        Assert.Equal(new TaskTimedOut("t-1", TimeSpan.FromSeconds(30), null, At), back.Events[3].Event);
    }

    [Fact]
    public void SchedulerSerializer_should_keep_concrete_event_types_inside_adopted_batches()
    {
        var events = AllEvents().Select((e, i) => new JournaledTaskEvent(i + 11, e)).ToList();
        var adopted = new AgentEventsAdopted("a1", "j1", 17, events);
        var serializer = (SchedulerSerializer)_system.Serialization.FindSerializerForType(typeof(AgentEventsAdopted));

        var back = (AgentEventsAdopted)serializer.FromBinary(serializer.ToBinary(adopted), "mj.adopted");

        Assert.Equal(
            [typeof(TaskAccepted), typeof(TaskStarted), typeof(TaskExited), typeof(TaskTimedOut), typeof(TaskKilled), typeof(TaskFailedToStart), typeof(TaskLost),
             typeof(TaskOutputTruncated)],
            back.Events.Select(e => e.Event.GetType()));
        Assert.Equal(new TaskKilled("t-1", "by user", 137, At), back.Events[4].Event);
        Assert.Equal(17, back.ToOffset);
    }

    private static ITaskEvent[] AllEvents() =>
    [
        new TaskAccepted("t-1", Spec, At),
        new TaskStarted("t-1", 42, 9000, "boot", At),
        new TaskExited("t-1", 3, At),
        new TaskTimedOut("t-1", TimeSpan.FromSeconds(30), null, At),
        new TaskKilled("t-1", "by user", 137, At),
        new TaskFailedToStart("t-1", "No such file or directory", At),
        new TaskLost("t-1", "agent restarted", At),
        new TaskOutputTruncated("t-1", 1_048_576, "No space left on device", At),
    ];

    private static readonly TaskStateChanged FeedTask = new(new EventOffset(121, 1), "hello.12", "a1", "hello", TaskState.Failed, 3, null, At);

    private static readonly AgentStateChanged FeedAgent = new(new EventOffset(122, 1), "a1", AgentState.Unreachable, "no heartbeat since …", At);

    private object Sample(Type type)
    {
        var view = new TaskView("t-1", "a1", ["echo", "ü"], TaskState.Running, null, At, At.AddSeconds(1), null, null);
        var events = AllEvents().Select((e, i) => new JournaledTaskEvent(i + 1, e)).ToList();
        byte[] data = [0, 1, 2, 255, (byte)'o'];
        return type.Name switch
        {
            nameof(TaskAccepted) => new TaskAccepted("t-1", Spec, At),
            nameof(TaskStarted) => new TaskStarted("t-1", 42, 9000, "boot", At),
            nameof(TaskExited) => new TaskExited("t-1", 3, At),
            nameof(TaskTimedOut) => new TaskTimedOut("t-1", TimeSpan.FromMilliseconds(1500), 143, At),
            nameof(TaskKilled) => new TaskKilled("t-1", "master unreachable for 5m", null, At, ByReconnectWindow: true),
            nameof(TaskFailedToStart) => new TaskFailedToStart("t-1", "No such file", At),
            nameof(TaskLost) => new TaskLost("t-1", "agent restarted", At),
            nameof(TaskOutputTruncated) => new TaskOutputTruncated("t-1", 1_048_576, "No space left on device", At),
            nameof(RegisterAgent) => new RegisterAgent("a1", "j1", 3, _actor, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), ["x", "y"], 17),
            nameof(AgentRegistered) => new AgentRegistered("a1", 3, 7, "run-1", 12, 17, TimeSpan.FromSeconds(330)),
            nameof(AgentRegistrationRefused) => new AgentRegistrationRefused("a1", 3, "name in use"),
            nameof(AgentHeartbeat) => new AgentHeartbeat("a1", "j1", 3, 99),
            nameof(MasterHeartbeat) => new MasterHeartbeat(7, 99),
            nameof(RegisterAgain) => new RegisterAgain("a1", 3),
            nameof(AgentCaughtUp) => new AgentCaughtUp("a1", "j1", 3, 40),
            nameof(AgentEventBatch) => new AgentEventBatch("a1", "j1", 3, 0, events.Count, events),
            nameof(EventsAdopted) => new EventsAdopted(7, "j1", 40),
            nameof(StartTask) => new StartTask(7, Spec),
            nameof(StopTask) => new StopTask(7, "t-1", "by user"),
            nameof(StartTaskRejected) => new StartTaskRejected("a1", "t-1", "conflict"),
            nameof(FetchTaskLog) => new FetchTaskLog(7, "t-1", 100, 4096),
            nameof(TaskLogChunk) => new TaskLogChunk("a1", "t-1", 100, data, true),
            nameof(SubmitTask) => new SubmitTask("a1", Spec with { WorkingDirectory = null, Timeout = null }),
            nameof(KillTask) => new KillTask("t-1"),
            nameof(GetTask) => new GetTask("t-1"),
            nameof(GetTasks) => new GetTasks(null),
            nameof(GetHistory) => new GetHistory("a1", null, 50, JobId: "hello"),
            nameof(GetTaskLog) => new GetTaskLog("t-1", 0, 65536),
            nameof(GetAgents) => GetAgents.Instance,
            nameof(TaskResult) => new TaskResult(view),
            nameof(TasksResult) => new TasksResult([view, view with { TaskId = "t-2", State = TaskState.Failed, ExitCode = 3, Reason = "x" }]),
            nameof(AgentsResult) => new AgentsResult([new AgentView("a1", AgentState.Unreachable, At, 2, ["gpu"])]),
            nameof(TaskLogResult) => new TaskLogResult("t-1", 0, 5, data, false),
            nameof(RequestFailed) => new RequestFailed(ErrorCode.DuplicateTaskId, "task id 't-1' is in use"),
            nameof(MasterEpochStarted) => new MasterEpochStarted(7, "run-1", At),
            nameof(TaskSubmitted) => new TaskSubmitted("a1", Spec, At),
            nameof(TaskKillRequested) => new TaskKillRequested("t-1", "by user", At),
            nameof(TaskRejectedByAgent) => new TaskRejectedByAgent("t-1", "conflict", At),
            nameof(AgentJournalAttached) => new AgentJournalAttached("a1", "j2", At),
            nameof(AgentEventsAdopted) => new AgentEventsAdopted("a1", "j1", events.Count, events),
            nameof(TaskLogCompleted) => new TaskLogCompleted("t-1", 1234, At),
            nameof(TaskLogChunkStored) => new TaskLogChunkStored("t-1", 100, data),
            nameof(AgentCoupled) => new AgentCoupled("a1", "j1", 3, ["t-1", "t-2"], TimeSpan.FromSeconds(340), At),
            nameof(AgentWentUnreachable) => new AgentWentUnreachable("a1", At.AddSeconds(-5), At),
            nameof(AgentDeclaredLost) => new AgentDeclaredLost("a1", "j1", "agent unreachable for 5m30s", At),
            nameof(GetEvents) => new GetEvents("a1", 100),
            nameof(ReleaseCandidates) => new ReleaseCandidates("a1", "j1", 3, ["t-1", "t-2"]),
            nameof(ReleaseConfirmed) => new ReleaseConfirmed(7, "j1", ["t-2"]),
            nameof(EventsResult) => new EventsResult([new SchedulerEvent(1, At, SchedulerEventKind.AgentReconnected, "a1", "agent a1 reconnected, 1 running: t-1", ["t-1"])]),
            nameof(GetStatus) => GetStatus.Instance,
            nameof(PauseMaster) => PauseMaster.Instance,
            nameof(ResumeMaster) => ResumeMaster.Instance,
            nameof(MasterPaused) => new MasterPaused("paused on request", At),
            nameof(MasterResumed) => new MasterResumed(At),
            nameof(TasksMovedToHistory) => new TasksMovedToHistory(["t-1", "t-2"], At),
            nameof(MasterSnapshot) => new MasterSnapshot(1, System.Text.Json.JsonDocument.Parse("{\"epoch\":3}").RootElement),
            nameof(StatusResult) => new StatusResult(new MasterStatus("127.0.0.1:4053", "r1", 3, "postgresql",
                new DatabaseStatus(false, "database unavailable since …", At, 2, At.AddMinutes(1), "connection refused"), null, null)),
            nameof(GetJobs) => GetJobs.Instance,
            nameof(RunJob) => new RunJob("hello"),
            nameof(AddJobs) => new AddJobs([Job, Job with { JobId = "other", Agent = "a1", Labels = [], Schedule = JobScheduleSpec.OnDemand }]),
            nameof(RemoveJob) => new RemoveJob("hello"),
            nameof(JobsResult) => new JobsResult([new JobView(Job, "cron 0 30 2 * * * (Europe/Berlin)", "config", 12, 1, At.AddHours(1), At)]),
            nameof(JobDefined) => new JobDefined(Job, "config", At.AddHours(1), At),
            nameof(JobRemoved) => new JobRemoved("hello", "no longer in the configuration", At),
            nameof(JobFired) => new JobFired("hello", 12, "a1", Spec with { TaskId = "hello.12" }, At, At.AddHours(1), 3, At),
            nameof(JobFireSkipped) => new JobFireSkipped("hello", At.AddHours(1), 4, At),
            nameof(ReadFeed) => new ReadFeed("sub-1", new EventOffset(120, 3), 1000, TimeSpan.FromSeconds(2)),
            nameof(FeedPage) => new FeedPage([FeedTask, FeedAgent], FeedAgent.Offset, AtEnd: true),
            nameof(TaskStateChanged) => FeedTask,
            nameof(AgentStateChanged) => FeedAgent,
            _ => throw new InvalidOperationException($"No sample for {type.FullName}; add one to {nameof(Sample)}."),
        };
    }

    private sealed class Sink : ReceiveActor
    {
    }
}
