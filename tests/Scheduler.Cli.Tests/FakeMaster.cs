using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Feed;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Cli.Tests;

/// <summary>
/// A one-node cluster named "scheduler" on 127.0.0.1, port 0, whose <c>/user/scheduler-proxy</c> is registered
/// with the ClusterClient receptionist and answers client requests with canned results.
/// </summary>
public sealed class FakeMaster : IAsyncDisposable
{
    public const string UnknownAgent = "nobody";
    public const string MissingTask = "t-missing";

    /// <summary>A task shown Lost whose log the Master holds only in part: it never says the log is complete.</summary>
    public const string LostTask = "t-lost";

    /// <summary>A Succeeded task whose whole log ends in a record cut short (a full disk): no newline after it.</summary>
    public const string CutShortTask = "t-cut";

    /// <summary>A task whose log the Master cannot serve for its first <see cref="UnavailableAnswers"/> log requests (a hand-over).</summary>
    public const string MovingTask = "t-moving";

    public const int UnavailableAnswers = 3;

    public const string MovingMessage = "the scheduler is moving to another master; try again";

    private int _movingRequests;

    public static IReadOnlyList<string> LostTaskLines { get; } = ["before the agent was lost", "last copied line"];

    public static byte[] LostTaskLog { get; } = LostTaskLines.SelectMany(line => TaskLogFormat.EncodeLine(OutputStream.Stdout, line)).ToArray();

    public static byte[] CutShortLog { get; } =
        [.. TaskLogFormat.EncodeLine(OutputStream.Stdout, "a whole line"), .. TaskLogFormat.EncodeLine(OutputStream.Stderr, "cut sh")[..^1]];

    public static readonly DateTimeOffset SubmittedAt = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private FakeMaster(ActorSystem system, byte[] log)
    {
        System = system;
        Log = log;
        Port = ((ExtendedActorSystem)system).Provider.DefaultAddress.Port
            ?? throw new InvalidOperationException("the fake master has no port");
    }

    public ActorSystem System { get; }

    public int Port { get; }

    public string ContactPoint => $"127.0.0.1:{Port}";

    public ConcurrentQueue<IClientRequest> Received { get; } = new();

    /// <summary>The log every task has: 3000 lines on both streams, more than two 64 KiB pages.</summary>
    public byte[] Log { get; }

    public static IReadOnlyList<(OutputStream Stream, string Line)> LogLines { get; } = Enumerable.Range(0, 3000)
        .Select(i => (i % 3 == 0 ? OutputStream.Stderr : OutputStream.Stdout, $"line {i:D5} {new string('x', i % 40)}"))
        .ToList();

    public static async Task<FakeMaster> StartAsync()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = OFF
              actor.provider = cluster
              actor.serialize-messages = on
              remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
              cluster.min-nr-of-members = 1
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """)
            .WithFallback(SerializationConfig.Hocon)
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig());
        var system = ActorSystem.Create(SchedulerPaths.SystemName, config);
        var log = LogLines.SelectMany(l => TaskLogFormat.EncodeLine(l.Stream, l.Line)).ToArray();
        var master = new FakeMaster(system, log);

        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cluster = Cluster.Get(system);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var proxy = system.ActorOf(Props.Create(() => new ProxyActor(master)), SchedulerService.Name);
        ClusterClientReceptionist.Get(system).RegisterService(proxy);
        return master;
    }

    public static TaskView View(string taskId, string agent = "local", TaskState state = TaskState.Running, IReadOnlyList<string>? command = null) =>
        new(taskId, agent, command ?? ["echo", "hello"], state, state == TaskState.Succeeded ? 0 : null, SubmittedAt, SubmittedAt.AddSeconds(1), null, null);

    public async ValueTask DisposeAsync() => await System.Terminate().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>A port nothing listens on (bound once, then released).</summary>
    public static int ClosedPort() => Scheduler.TestKit.LoopbackPorts.Free();

    private static class SchedulerService
    {
        public static string Name => SchedulerPaths.SchedulerService.Split('/').Last();
    }

    private sealed class ProxyActor : ReceiveActor
    {
        public ProxyActor(FakeMaster master)
        {
            Receive<IClientRequest>(request =>
            {
                master.Received.Enqueue(request);
                Sender.Tell(Answer(master, request));
            });
        }

        private static ISchedulerMessage Answer(FakeMaster master, IClientRequest request) => request switch
        {
            SubmitTask { Agent: UnknownAgent } submit => new RequestFailed(ErrorCode.UnknownAgent, $"unknown agent '{submit.Agent}'"),
            SubmitTask { Spec.TaskId: "t-used" } => new RequestFailed(ErrorCode.DuplicateTaskId, "task id 't-used' is already used"),
            SubmitTask submit => new TaskResult(View(submit.Spec.TaskId, submit.Agent, TaskState.Pending, submit.Spec.Command) with { StartedAt = null }),
            GetTask { TaskId: MissingTask } get => new RequestFailed(ErrorCode.NotFound, $"no task '{get.TaskId}'"),
            GetTask { TaskId: LostTask } get => new TaskResult(View(get.TaskId, state: TaskState.Lost)),
            GetTask { TaskId: CutShortTask } get => new TaskResult(View(get.TaskId, state: TaskState.Succeeded)),
            GetTask get => new TaskResult(View(get.TaskId)),
            KillTask kill => new TaskResult(View(kill.TaskId, state: TaskState.Killed) with { Reason = "killed by request" }),
            GetTasks tasks => new TasksResult([View("t-1", tasks.Agent ?? "local"), View("t-2", tasks.Agent ?? "other")]),
            GetHistory history => new TasksResult(Enumerable.Range(0, Math.Min(history.Limit, 3))
                .Select(i => View(history.TaskId ?? $"t-{i}", history.Agent ?? "local", TaskState.Succeeded))
                .ToList(), Omitted: history.Limit > 1000 ? history.Limit - 3 : 0),
            GetEvents events => new EventsResult(
            [
                new SchedulerEvent(7, SubmittedAt, SchedulerEventKind.AgentUnreachable, events.Agent ?? "far", "agent far unreachable: no heartbeat since …", ["t-1"]),
                new SchedulerEvent(8, SubmittedAt, SchedulerEventKind.AgentReconnected, events.Agent ?? "far", "agent far reconnected, 1 running: t-1", ["t-1"]),
            ], Omitted: events.Limit == 2 ? 6 : 0),
            GetTaskLog { TaskId: MissingTask } log => new RequestFailed(ErrorCode.NotFound, $"no task '{log.TaskId}'"),
            GetTaskLog { TaskId: LostTask } log => Chunk(LostTaskLog, log, complete: false),
            GetTaskLog { TaskId: CutShortTask } log => Chunk(CutShortLog, log),
            GetTaskLog { TaskId: MovingTask } log => Interlocked.Increment(ref master._movingRequests) <= UnavailableAnswers
                ? new RequestFailed(ErrorCode.Unavailable, MovingMessage)
                : Chunk(LostTaskLog, log),
            GetTaskLog log => Chunk(master.Log, log),
            GetAgents => new AgentsResult(
            [
                new AgentView("local", AgentState.Connected, SubmittedAt, 2, ["linux", "big"]),
                new AgentView("far", AgentState.Unreachable, null, 0, []),
            ]),
            ReadFeed { After: { Sequence: 0 } } read => new FeedPage(
            [
                new AgentStateChanged(new EventOffset(4, 1), "far", AgentState.Unreachable, "no heartbeat since …", SubmittedAt),
                new TaskStateChanged(new EventOffset(4, 2), "t-1", "far", null, TaskState.Unknown, null, null, SubmittedAt),
            ], new EventOffset(4, 2), AtEnd: false),
            ReadFeed read => new FeedPage(
                [new TaskStateChanged(new EventOffset(9, 1), "t-1", "far", "nightly", TaskState.Failed, 3, null, SubmittedAt)],
                new EventOffset(9, 1), AtEnd: true),
            GetStatus => Status(paused: false),
            PauseMaster => Status(paused: true),
            ResumeMaster => Status(paused: false),
            _ => new RequestFailed(ErrorCode.InvalidRequest, $"unexpected {request.GetType().Name}"),
        };

        private static StatusResult Status(bool paused) => new(new MasterStatus("127.0.0.1:4053", "run-1", 3, "postgresql",
            new DatabaseStatus(true, "available"), new AgentCounts(1, 1, 0), 2, paused));

        private static TaskLogResult Chunk(byte[] log, GetTaskLog request, bool complete = true)
        {
            var start = (int)Math.Min(request.Offset, log.Length);
            var count = Math.Min(request.MaxBytes, log.Length - start);
            var data = log.AsSpan(start, count).ToArray();
            return new TaskLogResult(request.TaskId, start, start + count, data, Complete: complete);
        }
    }
}

/// <summary>Captures what a command writes.</summary>
public sealed class TestConsole
{
    private readonly Dictionary<string, string> _environment = new();

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public TestConsole With(string variable, string value)
    {
        _environment[variable] = value;
        return this;
    }

    public CliConsole Console => new(Out, Error, name => _environment.GetValueOrDefault(name));

    public string[] ErrorLines => Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A console whose client commands ask the master at <paramref name="master"/>, each waiting up to <paramref name="requestTimeout"/>.</summary>
    public static TestConsole For(string master, string requestTimeout) =>
        new TestConsole().With("SCHEDULER_MASTER", master).With("SCHEDULER_REQUEST_TIMEOUT", requestTimeout);

    /// <summary>Runs <c>scheduler ARGS</c> in this process on this console: its exit code, stdout and stderr lines.</summary>
    public async Task<(int ExitCode, string Out, string[] Errors)> RunAsync(params string[] args)
    {
        var exitCode = await SchedulerCli.RunAsync(args, Console);
        return (exitCode, Out.ToString(), ErrorLines);
    }
}
