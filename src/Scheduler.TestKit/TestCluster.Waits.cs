using Akka.Cluster;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;

namespace Scheduler.TestKit;

/// <summary>
/// Waiting without sleeps: each wait asks again until its condition holds and fails after <see cref="Patience"/>
/// with what it waited for and what it saw last.
/// </summary>
public sealed partial class TestCluster
{
    /// <summary>Polls <paramref name="condition"/> until it holds, for at most the cluster's patience (30 s).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never happened: {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Asks <paramref name="read"/> until its answer satisfies <paramref name="condition"/>, and answers it; after the
    /// patience (default 30 s) fails with <paramref name="failure"/> of the last answer.
    /// </summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, Func<T?, string> failure, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await read();
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException(failure(last));
    }

    /// <summary>Waits until the Master's view of the task satisfies <paramref name="condition"/> (described by <paramref name="what"/>).</summary>
    public Task<TaskView> WaitForTaskAsync(string taskId, Func<TaskView, bool> condition, string what) =>
        WaitForAsync(async () => await QueryAsync(new GetTask(taskId)) is TaskResult r ? r.Task : null,
            t => t is not null && condition(t), last => $"task {taskId} never became {what}; last seen: {last}")!;

    /// <summary>Waits until the Master shows the task in <paramref name="state"/>.</summary>
    public Task<TaskView> WaitForTaskAsync(string taskId, TaskState state) => WaitForTaskAsync(taskId, t => t.State == state, state.ToString());

    /// <summary>Waits until the Master shows the task in a final state, and answers it.</summary>
    public Task<TaskView> WaitForFinalAsync(string taskId) => WaitForTaskAsync(taskId, t => t.State.IsFinal(), "final");

    /// <summary>Waits until the Master shows the agent in <paramref name="state"/>.</summary>
    public Task<AgentView> WaitForAgentAsync(string name, AgentState state) =>
        WaitForAsync(async () => await QueryAsync(GetAgents.Instance) is AgentsResult r ? r.Agents.FirstOrDefault(a => a.Name == name) : null,
            a => a?.State == state, last => $"agent {name} never became {state}; last seen: {last}")!;

    /// <summary>Waits until the Master's history (of <paramref name="agent"/>, or all) holds a task matching <paramref name="match"/>.</summary>
    public Task<IReadOnlyList<TaskView>> WaitForHistoryAsync(Func<TaskView, bool> match, string what, string? agent = null) =>
        WaitForAsync(() => HistoryAsync(agent), h => h.Any(match), _ => $"the history never held {what}");

    /// <summary>Waits until the agent has journaled an event matching <paramref name="match"/>.</summary>
    public Task WaitForAgentJournalAsync(string agent, Func<ITaskEvent, bool> match, string what) =>
        WaitForAsync(() => AgentJournalAsync(agent), j => j.Any(match), _ => $"agent {agent} never journaled {what}");

    /// <summary>Waits until the Master's status says its database is (un)available, and answers that status.</summary>
    public Task<MasterStatus> WaitForDatabaseAsync(bool available) =>
        WaitForAsync(StatusAsync, s => s.Database.Available == available,
            last => $"the database never became {(available ? "available" : "unavailable")}: {last?.Database.Summary}");

    /// <summary>
    /// Asks until a master other than <paramref name="old"/> (HOST:PORT) answers from a recovered scheduler with
    /// every agent coupled: the singleton moved and serves. Failure detection takes seconds, so this waits 60 s.
    /// </summary>
    public Task<MasterStatus> WaitForSingletonElsewhereAsync(string old) =>
        WaitForAsync(StatusAsync, s => s.Node != old && s.Database.Available && s.Agents?.Connected == _agents.Count,
            last => $"the singleton did not move from {old}: {last}", TimeSpan.FromSeconds(60));

    /// <summary>Waits until every running master sees <paramref name="count"/> masters Up.</summary>
    public Task WaitForMastersUpAsync(int count) =>
        WaitUntilAsync(() => RunningMasters.All(m => Cluster.Get(m).State.Members.Count(x => x.Status == MemberStatus.Up) == count),
            $"{count} masters Up in one cluster");

    /// <summary>The whole log as the Master holds it, once the Master says it is complete.</summary>
    public async Task<string> WaitForCompleteLogAsync(string taskId, OutputStream? stream = null)
    {
        var bytes = await WaitForAsync(() => MasterLogAsync(taskId), page => page.Complete, _ => $"the log of task {taskId} never became complete on the Master");
        return string.Join("\n", TaskLogFormat.Decode(bytes.Data)
            .Where(l => stream is null || l.Stream == stream)
            .Select(l => l.Line));
    }
}
