using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Scheduler.Agent.Journal;
using Scheduler.Client;
using Scheduler.Contracts;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.TestKit;

/// <summary>Requests to the Master (through the cluster's ClusterClient, as <see cref="RequestSenders"/>) and reads of the agents' own journals.</summary>
public sealed partial class TestCluster
{
    /// <summary>The client's ActorSystem and its ClusterClient to the masters, for actor-based clients (e.g. a FeedSubscriber).</summary>
    public (ActorSystem System, IActorRef ClusterClient) Client => (_client, _clusterClient);

    /// <summary>
    /// The integrators' <see cref="Scheduler.Client.SchedulerClient"/> on this cluster's masters. It speaks plain
    /// <c>akka.tcp</c>, so it works only in a cluster that is not <see cref="TestClusterOptions.Partitionable"/>.
    /// The caller disposes it.
    /// </summary>
    public Task<Scheduler.Client.SchedulerClient> ConnectClientAsync() =>
        _options.Partitionable
            ? throw new InvalidOperationException("SchedulerClient speaks akka.tcp; connect it to a cluster started with Partitionable = false")
            : Scheduler.Client.SchedulerClient.ConnectAsync(new Scheduler.Client.SchedulerClientOptions(ContactAddresses) { LogLevel = "OFF" });

    /// <summary>Sends <paramref name="request"/> once and answers the Master's reply (a result or a <see cref="RequestFailed"/>).</summary>
    public async Task<object> AskAsync(IClientRequest request) =>
        await _senders.AskAsync(request, TimeSpan.FromSeconds(10), CancellationToken.None);

    /// <summary>As <see cref="AskAsync(IClientRequest)"/>; any other answer than a <typeparamref name="T"/> fails with it.</summary>
    public async Task<T> AskAsync<T>(IClientRequest request)
    {
        var answer = await AskAsync(request);
        return answer is T t ? t : throw new InvalidOperationException($"expected {typeof(T).Name}, got {answer}");
    }

    /// <summary>
    /// An idempotent query, asked again when an answer is lost: ClusterClient loses messages while it
    /// re-establishes its contact (e.g. right after a Master restart or a hand-over), as DESIGN.md measured.
    /// </summary>
    public async Task<object> QueryAsync(IClientRequest request)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await _senders.AskAsync(request, TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>As <see cref="QueryAsync(IClientRequest)"/>; any other answer than a <typeparamref name="T"/> fails with it.</summary>
    public async Task<T> QueryAsync<T>(IClientRequest request)
    {
        var answer = await QueryAsync(request);
        return answer is T t ? t : throw new InvalidOperationException($"expected {typeof(T).Name}, got {answer}");
    }

    /// <summary>Submits <paramref name="command"/> (program and arguments) to <paramref name="agent"/> under a new task id.</summary>
    public async Task<TaskView> SubmitAsync(string agent, params string[] command) =>
        (await AskAsync<TaskResult>(new SubmitTask(agent, Spec(TaskIds.New(), command)))).Task;

    /// <summary>A task spec with the given id and command; no working directory, environment or timeout unless given.</summary>
    public static TaskSpec Spec(string id, IReadOnlyList<string> command, TimeSpan? timeout = null, string? cwd = null,
        IReadOnlyDictionary<string, string>? env = null) =>
        new(id, command, cwd, env ?? new Dictionary<string, string>(), timeout);

    /// <summary>The Master's status: run id and epoch, the singleton's node, paused, database, agent counts.</summary>
    public async Task<MasterStatus> StatusAsync() => (await QueryAsync<StatusResult>(GetStatus.Instance)).Status;

    /// <summary>The Master's history, newest first: of one agent, or all, at most <paramref name="limit"/> tasks.</summary>
    public async Task<IReadOnlyList<TaskView>> HistoryAsync(string? agent = null, int limit = 1000) =>
        (await QueryAsync<TasksResult>(new GetHistory(agent, null, limit))).Tasks;

    /// <summary>
    /// Every task in the Master's history (of one agent, or all) submitted in [<paramref name="since"/>,
    /// <paramref name="until"/>), however many: asked in time slices, each halved until its answer fits one frame.
    /// </summary>
    public async Task<IReadOnlyList<TaskView>> WholeHistoryAsync(string? agent, DateTimeOffset since, DateTimeOffset until)
    {
        const int PerSlice = 500;
        var answer = await QueryAsync<TasksResult>(new GetHistory(agent, null, PerSlice, since, until));
        if (answer.Omitted == 0 && answer.Tasks.Count < PerSlice)
        {
            return answer.Tasks;
        }

        if (until - since < TimeSpan.FromMilliseconds(2))
        {
            throw new InvalidOperationException($"more than {PerSlice} tasks submitted within {until - since} ({since:O}): cannot split the history finer");
        }

        var middle = since + (until - since) / 2;
        return [.. await WholeHistoryAsync(agent, middle, until), .. await WholeHistoryAsync(agent, since, middle)];
    }

    /// <summary>The Master's event log (<c>scheduler events</c>), optionally of one agent, oldest first.</summary>
    public async Task<IReadOnlyList<SchedulerEvent>> EventsAsync(string? agent = null) =>
        (await QueryAsync<EventsResult>(new GetEvents(agent, 1000))).Events;

    /// <summary>The events in an agent's own journal (its SQLite file), in journal order — what the Master adopts.</summary>
    public async Task<IReadOnlyList<ITaskEvent>> AgentJournalAsync(string agent)
    {
        var reader = TaskEventReader.Of(Agent(agent));
        return await Task.Run(() => reader.ReadAll().Select(e => e.Event).ToList());
    }

    /// <summary>
    /// The final state of every task in an agent's own journal, by task id, next to what the Master's history says:
    /// after a heal the two must agree (the Master adopted everything the agent journaled).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (TaskState? Agent, TaskState? Master)>> CompareHistoryAsync(string agent)
    {
        var journal = await AgentJournalAsync(agent);
        var byAgent = journal.GroupBy(e => e.TaskId).ToDictionary(g => g.Key, g => JournaledState(g.ToList()));
        var byMaster = (await WholeHistoryAsync(agent, StartedAt - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1))).ToDictionary(t => t.TaskId, t => (TaskState?)t.State);
        return byAgent.Keys.Union(byMaster.Keys).ToDictionary(
            id => id, id => (byAgent.GetValueOrDefault(id), byMaster.GetValueOrDefault(id)));
    }

    /// <summary>The state an agent's journal events say a task ended in (null while it runs).</summary>
    private static TaskState? JournaledState(IReadOnlyList<ITaskEvent> events) =>
        events.Select(TaskOutcome.Of).LastOrDefault(o => o is not null)?.State;
}
