using Scheduler.Contracts.Agents;
using Scheduler.Soak.Tests.Plan;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Soak.Tests.Run;

/// <summary>
/// Carries out a <see cref="ChaosPlan"/> on a cluster, each fault at its planned time or as soon after as the one
/// before it allows, and records when each one really began and ended. Tells the submitter which agents can take
/// tasks (not cut off, not restarting, a master up).
/// </summary>
public sealed class ChaosRunner(TestCluster cluster, ITestOutputHelper output)
{
    private readonly HashSet<string> _unavailable = [];
    private readonly List<(string Agent, DateTimeOffset Due, DateTimeOffset Begin, DateTimeOffset Effective, bool PastWindow)> _heals = [];
    private readonly object _gate = new();
    private volatile bool _masterDown;
    private DateTimeOffset _start;

    public RunRecord Record { get; } = new();

    public bool Available(string agent)
    {
        lock (_gate)
        {
            return !_masterDown && !_unavailable.Contains(agent);
        }
    }

    public async Task RunAsync(IReadOnlyList<Fault> plan)
    {
        _start = DateTimeOffset.UtcNow;
        foreach (var fault in plan)
        {
            await HealDueAsync(_start + fault.At);
            await DelayUntilAsync(_start + fault.At);
            switch (fault)
            {
                case PartitionAgent p:
                    await HealAgentAsync(p.Agent);
                    await PartitionAsync(p);
                    break;
                case RestartAgent r:
                    await HealAgentAsync(r.Agent);
                    await RestartAgentAsync(r.Agent);
                    break;
                case CrashMaster:
                    await HealDueAsync(DateTimeOffset.MaxValue);
                    await CrashMasterAsync();
                    break;
            }
        }

        await HealDueAsync(DateTimeOffset.MaxValue);
    }

    private async Task PartitionAsync(PartitionAgent p)
    {
        SetAvailable(p.Agent, false);
        var begin = DateTimeOffset.UtcNow;
        await cluster.PartitionAsync(p.Agent);
        var effective = DateTimeOffset.UtcNow;
        _heals.Add((p.Agent, effective + p.Hold, begin, effective, p.LongerThanWindow));
        Log($"partition {p.Agent} for {p.Hold.TotalSeconds:0.0}s{(p.LongerThanWindow ? " (past the window)" : "")}");
    }

    /// <summary>Heals, in order, every partition due before <paramref name="until"/>, each at its due time.</summary>
    private async Task HealDueAsync(DateTimeOffset until)
    {
        foreach (var heal in _heals.Where(h => h.Due <= until).OrderBy(h => h.Due).ToList())
        {
            await HealAsync(heal);
        }
    }

    /// <summary>Heals the agent's partition, if it has one, at its due time (a fault of that agent waits for it).</summary>
    private async Task HealAgentAsync(string agent)
    {
        foreach (var heal in _heals.Where(h => h.Agent == agent).ToList())
        {
            await HealAsync(heal);
        }
    }

    private async Task HealAsync((string Agent, DateTimeOffset Due, DateTimeOffset Begin, DateTimeOffset Effective, bool PastWindow) heal)
    {
        _heals.Remove(heal);
        await DelayUntilAsync(heal.Due);
        var healBegin = DateTimeOffset.UtcNow;
        await cluster.HealAsync(heal.Agent);
        var end = DateTimeOffset.UtcNow;
        Record.Partitions.Add(new Partition(new Cut(heal.Agent, "partition", heal.Begin, heal.Effective, end), healBegin, heal.PastWindow));
        await cluster.WaitForAgentAsync(heal.Agent, AgentState.Connected);
        SetAvailable(heal.Agent, true);
        Log($"healed {heal.Agent} after {(healBegin - heal.Effective).TotalSeconds:0.0}s; Connected again");
    }

    private async Task RestartAgentAsync(string agent)
    {
        SetAvailable(agent, false);
        var begin = DateTimeOffset.UtcNow;
        await cluster.RestartAgentAsync(agent);
        Record.AgentRestarts.Add(new AgentRestart(agent, begin, DateTimeOffset.UtcNow));
        SetAvailable(agent, true);
        Log($"restarted agent {agent}; Connected again");
    }

    private async Task CrashMasterAsync()
    {
        _masterDown = true;
        var begin = DateTimeOffset.UtcNow;
        if (cluster.MasterHosts.Count == 0)
        {
            await cluster.RestartMasterAsync();
            var effective = DateTimeOffset.UtcNow;
            foreach (var agent in cluster.AgentNames)
            {
                await cluster.WaitForAgentAsync(agent, AgentState.Connected);
            }

            Record.MasterOutages.Add(new Cut(null, "master restarted on its port", begin, effective, DateTimeOffset.UtcNow));
            Log($"master restarted on its port; every agent Connected after {(DateTimeOffset.UtcNow - begin).TotalSeconds:0.0}s");
        }
        else
        {
            var node = (await cluster.StatusAsync()).Node;
            begin = DateTimeOffset.UtcNow;
            var index = await cluster.CrashActiveMasterAsync();
            var effective = DateTimeOffset.UtcNow;
            await cluster.WaitForSingletonElsewhereAsync(node);
            Record.MasterOutages.Add(new Cut(null, $"active master {index} crashed", begin, effective, DateTimeOffset.UtcNow));
            Log($"active master {index} crashed; another serves with every agent Connected after {(DateTimeOffset.UtcNow - begin).TotalSeconds:0.0}s");
            _masterDown = false;
            await cluster.RestartMasterAsync(index);
            Log($"master {index} restarted and rejoined");
        }

        _masterDown = false;
    }

    private void SetAvailable(string agent, bool available)
    {
        lock (_gate)
        {
            if (available)
            {
                _unavailable.Remove(agent);
            }
            else
            {
                _unavailable.Add(agent);
            }
        }
    }

    private static async Task DelayUntilAsync(DateTimeOffset due)
    {
        var wait = due - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait); // the plan's pace, not a wait for an effect: every effect is awaited by its condition
        }
    }

    private void Log(string what) => output.WriteLine($"[{(DateTimeOffset.UtcNow - _start).TotalSeconds,6:0.0}s] {what}");
}
