using System.Collections.Immutable;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Scheduler.Contracts;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Jobs;
using Scheduler.Contracts.Serialization;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Security;
using Scheduler.Core.Tasks;

namespace Scheduler.Client;

/// <summary>
/// The .NET API of the scheduler: talks to the Master through Akka's ClusterClient. Every call either
/// returns the Master's answer, throws <see cref="SchedulerException"/> with the Master's error code, or
/// throws <see cref="MasterUnreachableException"/> after <see cref="SchedulerClientOptions.RequestTimeout"/>.
/// </summary>
public sealed partial class SchedulerClient : IAsyncDisposable
{
    /// <summary>The ActorSystem name of clients (the masters' one is <see cref="SchedulerPaths.SystemName"/>).</summary>
    public const string ClientSystemName = "scheduler-client";

    /// <summary>Bytes asked for per log request, well below Akka.Remote's maximum frame size.</summary>
    public const int LogChunkBytes = 64 * 1024;

    private static readonly TimeSpan TerminateTimeout = TimeSpan.FromSeconds(5);

    private readonly ActorSystem? _ownSystem;
    /// <summary>The system whose serializer and frame size a request is measured with (<see cref="RefuseOversized"/>).</summary>
    private readonly Func<ActorSystem> _system;
    private readonly Func<IClientRequest, CancellationToken, Task<object>> _ask;
    private readonly SchedulerClientOptions _options;
    private int _disposed;

    private SchedulerClient(
        ActorSystem? ownSystem, Func<ActorSystem> system, Func<IClientRequest, CancellationToken, Task<object>> ask, SchedulerClientOptions options)
    {
        _ownSystem = ownSystem;
        _system = system;
        _ask = ask;
        _options = options;
    }

    public SchedulerClientOptions Options => _options;

    /// <summary>
    /// Starts the client's ActorSystem and its ClusterClient. Does not wait for a master: the first request
    /// does, for at most the request timeout.
    /// </summary>
    public static Task<SchedulerClient> ConnectAsync(SchedulerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ContactPoints.Count == 0)
        {
            throw new ArgumentException("at least one master contact point (HOST:PORT) is needed", nameof(options));
        }

        var protocol = TransportSecurity.Protocol(options.Tls);
        var contacts = options.ContactPoints.Select(contact => ContactPoints.ReceptionistPath(contact, protocol)).ToImmutableHashSet();
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the request timeout must be positive", nameof(options));
        }

        var system = CreateSystem(options);
        if (options.LogWriter is not null)
        {
            TextWriterLogger.UseWriter(system, options.LogWriter);
        }

        var settings = ClusterClientSettings.Create(system).WithInitialContacts(contacts);
        var senders = new RequestSenders(system, system.ActorOf(ClusterClient.Props(settings), "cluster-client"));
        return Task.FromResult(new SchedulerClient(system, () => system,
            (request, cancellationToken) => senders.AskAsync(request, options.RequestTimeout, cancellationToken), options));
    }

    /// <summary>
    /// A client inside a master node (the dashboard): the same requests, asked of the node's own singleton proxy
    /// (<see cref="SchedulerPaths.SchedulerService"/>), which forwards them to the scheduler wherever it runs. The
    /// node's current ActorSystem is asked for each request (a master that rejoined its cluster has a new one).
    /// Disposing it leaves the node alone.
    /// </summary>
    public static SchedulerClient InsideMasterNode(Func<ActorSystem> system, SchedulerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        return new SchedulerClient(null, system, (request, cancellationToken) =>
            system().ActorSelection(SchedulerPaths.SchedulerService).Ask<object>(request, options.RequestTimeout, cancellationToken), options);
    }

    /// <summary>
    /// The client's ActorSystem; with <see cref="SchedulerClientOptions.Tls"/> on, with its certificates (a problem with
    /// them throws <see cref="Scheduler.Core.Configuration.SettingsException"/> naming the key and file).
    /// </summary>
    private static ActorSystem CreateSystem(SchedulerClientOptions options)
    {
        if (!options.Tls.Enabled)
        {
            return ActorSystem.Create(ClientSystemName, CreateConfig(options));
        }

        var security = TransportSecurity.Load(options.Tls, options.Tls.Origin);
        try
        {
            var bootstrap = BootstrapSetup.Create().WithConfig(TransportSecurity.Hocon.WithFallback(CreateConfig(options)));
            var system = ActorSystem.Create(ClientSystemName, ActorSystemSetup.Create(bootstrap, security.Setup()));
            system.RegisterOnTermination(security.Dispose);
            return system;
        }
        catch
        {
            security.Dispose();
            throw;
        }
    }

    /// <summary>The HOCON of the client's ActorSystem.</summary>
    public static Config CreateConfig(SchedulerClientOptions options)
    {
        var hocon = $$"""
            akka {
              loglevel = {{options.LogLevel}}
              stdout-loglevel = OFF
              # Akka falls back to this logger while the system stops; the default one writes to stdout.
              stdout-logger-class = "{{typeof(StandardErrorLogger).FullName}}, {{typeof(StandardErrorLogger).Assembly.GetName().Name}}"
              loggers = ["{{typeof(TextWriterLogger).FullName}}, {{typeof(TextWriterLogger).Assembly.GetName().Name}}"]
              log-config-on-start = off
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = remote
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{options.Hostname}}"
                  port = 0
                }
              }
              cluster.client {
                establishing-get-contacts-interval = 1s
                # A long-lived client whose master dies (kill -9) moves to another one after 4 s, not Akka's 15 s.
                heartbeat-interval = 1s
                acceptable-heartbeat-pause = 3s
              }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """;
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(SerializationConfig.Hocon)
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            // ClusterClient wraps each request in DistributedPubSub's Send: without this fallback that
            // wrapper (and our message inside it) would go over the wire with the default Newtonsoft serializer.
            .WithFallback(DistributedPubSub.DefaultConfig());
    }

    /// <summary>Submits a task; a spec the Master would refuse (<see cref="TaskSpecRules"/>) is refused here, with its words, before anything is sent.</summary>
    public async Task<TaskView> SubmitAsync(string agent, TaskSpec spec, CancellationToken cancellationToken = default) =>
        TaskSpecRules.Problem(spec) is { } problem
            ? throw new SchedulerException(ErrorCode.InvalidRequest, problem)
            : (await RequestAsync<TaskResult>(new SubmitTask(agent, spec), cancellationToken).ConfigureAwait(false)).Task;

    public async Task<TaskView> GetTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<TaskResult>(new GetTask(taskId), cancellationToken).ConfigureAwait(false)).Task;

    /// <summary>
    /// Tasks not yet final, of one agent or of all, oldest first. <see cref="TasksResult.Omitted"/> counts those left
    /// out to keep the answer below the transport's frame size.
    /// </summary>
    public Task<TasksResult> GetTasksAsync(string? agent = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TasksResult>(new GetTasks(agent), cancellationToken);

    /// <summary>
    /// Tasks newest first, optionally of one agent, one task id, one job's runs, or submitted in
    /// [<paramref name="since"/>, <paramref name="until"/>); see <see cref="GetTasksAsync"/> for omitted ones.
    /// </summary>
    public Task<TasksResult> GetHistoryAsync(
        string? agent = null,
        string? taskId = null,
        int limit = 100,
        DateTimeOffset? since = null,
        DateTimeOffset? until = null,
        string? jobId = null,
        CancellationToken cancellationToken = default) =>
        RequestAsync<TasksResult>(new GetHistory(agent, taskId, limit, since, until, jobId), cancellationToken);

    /// <summary>The newest entries of the Master's event log (agents registered, unreachable, reconnected, lost, …), oldest first.</summary>
    public Task<EventsResult> GetEventsAsync(string? agent = null, int limit = 100, CancellationToken cancellationToken = default) =>
        RequestAsync<EventsResult>(new GetEvents(agent, limit), cancellationToken);

    /// <summary>
    /// The Master's run, database and agent counts. Answered even while its database is unavailable (then
    /// <see cref="DatabaseStatus.Available"/> is false and says since when and when it tries next).
    /// </summary>
    public async Task<MasterStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync<StatusResult>(GetStatus.Instance, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>Pauses the Master (persisted): running tasks continue, nothing new starts until <see cref="ResumeAsync"/>.</summary>
    public async Task<MasterStatus> PauseAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync<StatusResult>(PauseMaster.Instance, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>Resumes a paused Master: tasks submitted meanwhile start.</summary>
    public async Task<MasterStatus> ResumeAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync<StatusResult>(ResumeMaster.Instance, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>Kills a task; returns its state at that moment.</summary>
    public async Task<TaskView> KillAsync(string taskId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<TaskResult>(new KillTask(taskId), cancellationToken).ConfigureAwait(false)).Task;

    public async Task<IReadOnlyList<AgentView>> GetAgentsAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync<AgentsResult>(GetAgents.Instance, cancellationToken).ConfigureAwait(false)).Agents;

    /// <summary>Every job: definition, schedule, runs, unfinished runs and the next fire time.</summary>
    public async Task<IReadOnlyList<JobView>> GetJobsAsync(CancellationToken cancellationToken = default) =>
        (await RequestAsync<JobsResult>(GetJobs.Instance, cancellationToken).ConfigureAwait(false)).Jobs;

    /// <summary>Defines jobs, or changes those with the same ids; all are checked first, none is defined if one is invalid.</summary>
    public async Task<IReadOnlyList<JobView>> AddJobsAsync(IReadOnlyList<JobSpec> jobs, CancellationToken cancellationToken = default) =>
        (await RequestAsync<JobsResult>(new AddJobs(jobs), cancellationToken).ConfigureAwait(false)).Jobs;

    /// <summary>Removes a job (it fires no more; its runs stay); answers the job as it was.</summary>
    public async Task<JobView> RemoveJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<JobsResult>(new RemoveJob(jobId), cancellationToken).ConfigureAwait(false)).Jobs.Single();

    /// <summary>Runs a job once now, besides its schedule; answers the run's task (<c>JOB.RUN</c>).</summary>
    public async Task<TaskView> RunJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<TaskResult>(new RunJob(jobId), cancellationToken).ConfigureAwait(false)).Task;

    /// <summary>
    /// The task's whole log as the Master holds it, in <see cref="TaskLogFormat"/> (decode it with
    /// <see cref="TaskLogText.Lines"/>). Pages through the log in chunks of <see cref="LogChunkBytes"/>.
    /// </summary>
    public async Task<byte[]> GetTaskLogAsync(string taskId, CancellationToken cancellationToken = default) =>
        (await ReadTaskLogAsync(taskId, cancellationToken).ConfigureAwait(false)).Data;

    /// <summary>
    /// The task's whole log once the Master holds all of it: the Master copies logs from the agents as they are
    /// written, so right after a task ended its last lines may still be on their way. Asks again every
    /// <see cref="LogRetryDelay"/> until the Master says the log is complete (or <paramref name="cancellationToken"/> ends the wait).
    /// </summary>
    public async Task<byte[]> GetCompleteTaskLogAsync(string taskId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (data, complete) = await ReadTaskLogAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (complete)
            {
                return data;
            }

            await Task.Delay(LogRetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long <see cref="GetCompleteTaskLogAsync"/> waits before asking again.</summary>
    public static readonly TimeSpan LogRetryDelay = TimeSpan.FromMilliseconds(200);

    private async Task<(byte[] Data, bool Complete)> ReadTaskLogAsync(string taskId, CancellationToken cancellationToken)
    {
        var (data, _, complete) = await ReadTaskLogAsync(taskId, 0, long.MaxValue, cancellationToken).ConfigureAwait(false);
        return (data, complete);
    }

    /// <summary>
    /// The log bytes from <paramref name="from"/>, chunk by chunk, until the Master has no more or about
    /// <paramref name="maxBytes"/> are read; complete when the Master said so of the end it reached.
    /// </summary>
    private async Task<(byte[] Data, long NextOffset, bool Complete)> ReadTaskLogAsync(
        string taskId, long from, long maxBytes, CancellationToken cancellationToken)
    {
        using var log = new MemoryStream();
        var offset = from;
        while (true)
        {
            var chunk = await RequestAsync<TaskLogResult>(new GetTaskLog(taskId, offset, LogChunkBytes), cancellationToken)
                .ConfigureAwait(false);
            if (chunk.Data.Length == 0 || chunk.NextOffset <= offset)
            {
                return (log.ToArray(), offset, chunk.Complete);
            }

            log.Write(chunk.Data);
            offset = chunk.NextOffset;
            if (log.Length >= maxBytes)
            {
                return (log.ToArray(), offset, false);
            }
        }
    }

    /// <summary>Polls with nothing new after which following a Lost task's log ends though the Master never said it is whole.</summary>
    public const int FinalIdlePolls = 25;

    /// <summary>Bytes of log read at most per <see cref="GetTaskLogPageAsync"/> (a few more when a chunk ends past it).</summary>
    public const int LogPageBytes = 1024 * 1024;

    /// <summary>
    /// The task's log lines from byte <paramref name="offset"/> of its log (0: the start), as far as the Master holds
    /// it, whole lines only: ask again from <see cref="TaskLogPage.NextOffset"/> for what came since.
    /// <see cref="TaskLogPage.Complete"/>: the task is final and nothing more will come.
    /// </summary>
    public async Task<TaskLogPage> GetTaskLogPageAsync(string taskId, long offset = 0, CancellationToken cancellationToken = default)
    {
        var (data, next, complete) = await ReadTaskLogAsync(taskId, offset, LogPageBytes, cancellationToken).ConfigureAwait(false);
        // The log's very end is in hand: all of it counts, a last record cut short (a full disk) too. Otherwise a record
        // without its newline is still being copied and is asked for again from its start.
        var end = complete && next == offset + data.Length;
        var taken = end ? data.Length : data.AsSpan().LastIndexOf((byte)'\n') + 1;
        return new TaskLogPage(taskId, offset, offset + taken, TaskLogText.Records(data.AsMemory(0, taken), end).ToList(), end);
    }

    /// <summary>
    /// The task's output lines as they come (<c>scheduler logs --follow</c>): what the Master holds, then every
    /// <paramref name="pollInterval"/> (default <see cref="LogRetryDelay"/>) what it copied since, until the task is final
    /// and its whole log has been read — or, for a <c>Lost</c> task (its agent is gone, so its log may never be copied
    /// whole), until <see cref="FinalIdlePolls"/> polls in a row bring nothing new. With <paramref name="whileUnavailable"/>,
    /// a Master that does not answer or cannot serve for now (a hand-over, a restart, its database away: codes
    /// <see cref="ErrorCode.Unavailable"/> and <see cref="ErrorCode.DatabaseUnavailable"/>) is told to it and asked again
    /// after the poll interval, from where the log had got to; without it that error ends the enumeration.
    /// </summary>
    public async IAsyncEnumerable<TaskLogLine> FollowTaskLogAsync(
        string taskId,
        TimeSpan? pollInterval = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default,
        Action<SchedulerException>? whileUnavailable = null)
    {
        var interval = pollInterval ?? LogRetryDelay;
        long offset = 0;
        var idleFinalPolls = 0;
        while (true)
        {
            var page = await UnlessUnavailableAsync(() => GetTaskLogPageAsync(taskId, offset, cancellationToken), whileUnavailable).ConfigureAwait(false);
            if (page is null)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var line in page.Lines)
            {
                yield return line;
            }

            if (page.Complete)
            {
                yield break;
            }

            if (page.NextOffset != offset)
            {
                idleFinalPolls = 0;
            }
            else if ((await UnlessUnavailableAsync(() => GetTaskAsync(taskId, cancellationToken), whileUnavailable).ConfigureAwait(false))?.State
                     is TaskState.Lost && ++idleFinalPolls >= FinalIdlePolls)
            {
                yield break;
            }
            else
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }

            offset = page.NextOffset;
        }
    }

    /// <summary>The answer, or null when the Master is unavailable for now and <paramref name="whileUnavailable"/> took the error.</summary>
    private static async Task<T?> UnlessUnavailableAsync<T>(Func<Task<T>> request, Action<SchedulerException>? whileUnavailable) where T : class
    {
        try
        {
            return await request().ConfigureAwait(false);
        }
        catch (SchedulerException e) when (whileUnavailable is not null && e.Code is ErrorCode.Unavailable or ErrorCode.DatabaseUnavailable)
        {
            whileUnavailable(e);
            return null;
        }
    }

    /// <summary>The task's output lines the Master holds, of both streams or of one (<see cref="TaskLogText.Lines"/>).</summary>
    public async Task<IReadOnlyList<string>> GetTaskLogLinesAsync(
        string taskId,
        OutputStream? stream = null,
        CancellationToken cancellationToken = default)
    {
        var (log, complete) = await ReadTaskLogAsync(taskId, cancellationToken).ConfigureAwait(false);
        return TaskLogText.Lines(log, stream, whole: complete);
    }

    private async Task<TResult> RequestAsync<TResult>(IClientRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        RefuseOversized(request);
        object reply;
        try
        {
            reply = await _ask(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new MasterUnreachableException(_options.ContactPoints, _options.RequestTimeout, e);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Ask reports its timeout as a cancelled task in some versions.
            throw new MasterUnreachableException(_options.ContactPoints, _options.RequestTimeout);
        }

        return reply switch
        {
            TResult result => result,
            RequestFailed failed => throw new SchedulerException(failed.Code, failed.Message),
            Status.Failure failure => throw new SchedulerException(ErrorCode.Unavailable, failure.Cause?.Message ?? "request failed"),
            _ => throw new SchedulerException(ErrorCode.Unavailable, $"unexpected answer {reply.GetType().Name} to {request.GetType().Name}"),
        };
    }

    /// <summary>
    /// A request too large for a frame would be dropped by the transport with no word to anyone (the caller would see
    /// a timeout, "master not reachable"): it is refused here, naming its size and the limit, and nothing is sent.
    /// </summary>
    private void RefuseOversized(IClientRequest request)
    {
        var system = _system();
        var bytes = system.Serialization.FindSerializerFor(request).ToBinary(request).Length;
        var frame = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? WireLimits.FrameBytes;
        var limit = frame - WireLimits.EnvelopeBytes;
        if (bytes > limit)
        {
            throw new SchedulerException(ErrorCode.InvalidRequest,
                $"the request ({request.GetType().Name}) is {bytes} bytes serialized, more than the {limit} bytes a message may carry "
                + $"(akka.remote.dot-netty.tcp.maximum-frame-size = {frame} less its envelope); nothing was sent");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownSystem is null)
        {
            return;
        }

        // Never hang on shutdown: a client that cannot reach anyone still stops within the timeout.
        var terminated = _ownSystem.Terminate();
        await Task.WhenAny(terminated, Task.Delay(TerminateTimeout)).ConfigureAwait(false);
    }
}
