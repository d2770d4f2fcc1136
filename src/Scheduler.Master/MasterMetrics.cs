using System.Diagnostics.Metrics;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Tasks;

namespace Scheduler.Master;

/// <summary>
/// The Master's metrics (a System.Diagnostics.Metrics meter; the dashboard exports it in Prometheus format at
/// <c>/metrics</c>, as <c>scheduler_*</c>). Counters count what the scheduler of this process did; gauges show its
/// state, published by the scheduler on each tick (nothing on a master whose scheduler runs elsewhere).
/// </summary>
public static class MasterMetrics
{
    public const string MeterName = "Scheduler.Master";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Started = Meter.CreateCounter<long>("scheduler.tasks.started", "{task}",
        "Tasks whose process started, as adopted from the agents' journals");

    private static readonly Counter<long> Finished = Meter.CreateCounter<long>("scheduler.tasks.finished", "{task}",
        "Tasks that reached a final state, by state (Succeeded, Failed, TimedOut, Killed, Lost)");

    private static readonly Counter<long> Kills = Meter.CreateCounter<long>("scheduler.tasks.killed", "{task}",
        "Tasks killed, by reason: request, reconnect-window, agent-stopped, other");

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("scheduler.reconnects", "{reconnect}",
        "Agents coupled again after a connection loss or a Master change, by agent");

    private static readonly Counter<long> Adopted = Meter.CreateCounter<long>("scheduler.events.adopted", "{event}",
        "Agent journal events adopted by the Master, by agent");

    private static readonly Counter<long> DatabaseRetries = Meter.CreateCounter<long>("scheduler.database.retries", "{attempt}",
        "Attempts to reach the database again during an outage, by outcome (failed, succeeded)");

    private static volatile Snapshot? _now;

    static MasterMetrics()
    {
        Meter.CreateObservableGauge("scheduler.tasks.running", () => _now is { } s ? [new Measurement<long>(s.Running)] : Array.Empty<Measurement<long>>(),
            "{task}", "Tasks running on their agents as the Master knows them");
        Meter.CreateObservableGauge("scheduler.tasks.unknown", () => _now is { } s ? [new Measurement<long>(s.Unknown)] : Array.Empty<Measurement<long>>(),
            "{task}", "Tasks running on agents the Master cannot reach (shown Unknown)");
        Meter.CreateObservableGauge("scheduler.agents", () => _now is { } s
                ? Enum.GetValues<AgentState>().Select(state => new Measurement<long>(s.Agents.Count(a => a.State == state),
                    new KeyValuePair<string, object?>("state", state.ToString())))
                : [],
            "{agent}", "Agents by state (Connected, Unreachable, Lost)");
        Meter.CreateObservableGauge("scheduler.adoption.lag", () => _now is { } s
                ? s.Agents.Where(a => a.AdoptedOffset is not null).Select(a => new Measurement<long>(
                    Math.Max(0, (a.JournalEnd ?? 0) - (a.AdoptedOffset ?? 0)), new KeyValuePair<string, object?>("agent", a.Name)))
                : [],
            "{event}", "Events of an agent's journal not yet adopted (journal end as last reported minus adopted offset), by agent");
    }

    /// <summary>The gauges' values now; null when the scheduler stopped (or runs elsewhere).</summary>
    public static void Publish(IReadOnlyList<AgentView> agents, int running, int unknown) => _now = new Snapshot(agents, running, unknown);

    public static void Unpublish() => _now = null;

    public static void TaskStarted() => Started.Add(1);

    public static void TaskFinished(TaskState state) => Finished.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));

    public static void TaskKilled(TaskKilled killed) =>
        Kills.Add(1, new KeyValuePair<string, object?>("reason", KillKinds.Of(killed.Reason, killed.ByReconnectWindow)));

    public static void AgentReconnected(string agent) => Reconnects.Add(1, new KeyValuePair<string, object?>("agent", agent));

    public static void EventsAdopted(string agent, int count) => Adopted.Add(count, new KeyValuePair<string, object?>("agent", agent));

    public static void DatabaseRetry(bool succeeded) =>
        DatabaseRetries.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));

    private sealed record Snapshot(IReadOnlyList<AgentView> Agents, int Running, int Unknown);
}
