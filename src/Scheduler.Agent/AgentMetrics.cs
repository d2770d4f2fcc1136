using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Agent;

/// <summary>
/// The agents' metrics (a System.Diagnostics.Metrics meter, label <c>agent</c> on each): what the agent journaled
/// itself, so they move during a partition too. Exported at <c>scheduler.agent.metrics.url</c> when set, and by a
/// standalone node's dashboard.
/// </summary>
public static class AgentMetrics
{
    public const string MeterName = "Scheduler.Agent";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Started = Meter.CreateCounter<long>("scheduler.agent.tasks.started", "{task}",
        "Task processes the agent started");

    private static readonly Counter<long> Finished = Meter.CreateCounter<long>("scheduler.agent.tasks.finished", "{task}",
        "Tasks the agent journaled final, by state");

    private static readonly Counter<long> Kills = Meter.CreateCounter<long>("scheduler.agent.tasks.killed", "{task}",
        "Tasks the agent killed, by reason (request, reconnect-window, agent-stopped, other)");

    private static readonly Counter<long> LinkLost = Meter.CreateCounter<long>("scheduler.agent.master.unreachable", "{time}",
        "Times the agent found the Master silent past unreachable-after and registered again");

    /// <summary>Running tasks by agent and task id (several agents may share a process: tests, standalone).</summary>
    private static readonly ConcurrentDictionary<(string Agent, string TaskId), byte> Running = new();

    static AgentMetrics() =>
        Meter.CreateObservableGauge("scheduler.agent.tasks.running", () => Running.Keys.GroupBy(k => k.Agent)
                .Select(g => new Measurement<long>(g.Count(), Agent(g.Key))),
            "{task}", "Task processes running now");

    /// <summary>A task event the agent journaled (not one recovered from its journal).</summary>
    public static void Journaled(string agent, ITaskEvent e)
    {
        switch (e)
        {
            case TaskStarted s:
                Started.Add(1, Agent(agent));
                Running[(agent, s.TaskId)] = 0;
                return;
            case TaskKilled k:
                Kills.Add(1, Agent(agent), new KeyValuePair<string, object?>("reason", KillKinds.Of(k.Reason, k.ByReconnectWindow)));
                break;
        }

        if (TaskOutcome.Of(e) is { } end)
        {
            Finished.Add(1, Agent(agent), new KeyValuePair<string, object?>("state", end.State.ToString()));
            Running.TryRemove((agent, e.TaskId), out _);
        }
    }

    /// <summary>A new incarnation's supervisor took over a task process that runs on.</summary>
    public static void Attached(string agent, string taskId) => Running[(agent, taskId)] = 0;

    /// <summary>The task's supervisor stopped (the agent stopped or made way for a new incarnation): no longer counted here.</summary>
    public static void Stopped(string agent, string taskId) => Running.TryRemove((agent, taskId), out _);

    public static void MasterUnreachable(string agent) => LinkLost.Add(1, Agent(agent));

    private static KeyValuePair<string, object?> Agent(string agent) => new("agent", agent);
}
