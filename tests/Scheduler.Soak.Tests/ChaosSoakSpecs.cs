using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Soak.Tests.Checks;
using Scheduler.Soak.Tests.Plan;
using Scheduler.Soak.Tests.Run;
using Scheduler.Soak.Tests.Workload;
using Scheduler.TestKit;
using Xunit.Abstractions;

namespace Scheduler.Soak.Tests;

/// <summary>
/// The chaos soak (issue 8): a stream of short, long, failing and output-heavy tasks on three agents while a plan
/// drawn from a seed partitions and heals agents (shorter and longer than the reconnect window), restarts agents and
/// crashes the master; then every task must have ended once, as the faults explain, with the Master's history equal
/// to the agents' journals and every log copied byte for byte. One run per master topology. The short form runs in
/// the suite; <c>SCHEDULER_SOAK_MINUTES</c> makes it longer and <c>SCHEDULER_SOAK_SEED</c> replays a seed's plan.
/// </summary>
public sealed class ChaosSoakSpecs(PostgreSqlFixture postgres, ITestOutputHelper output) : IClassFixture<PostgreSqlFixture>
{
    private static readonly IReadOnlyList<string> AgentNames = ["a1", "a2", "a3"];

    /// <summary>
    /// Without the throttler adapter: through it an agent's ClusterClient sometimes never reaches a master restarted
    /// on its port (TestHocon; seen here with seed 101: agent a2 stayed away after the first restart), so this run
    /// restarts agents and the master but cuts no links; the run of three masters does.
    /// </summary>
    [Fact]
    public Task A_single_master_restarted_on_its_port_loses_nothing_and_runs_nothing_twice() =>
        SoakAsync(new TestClusterOptions { Agents = Agents(), Partitionable = false }, masterOutage: TimeSpan.FromSeconds(8));

    [Fact]
    public Task Three_masters_failing_over_lose_nothing_and_run_nothing_twice() =>
        SoakAsync(new TestClusterOptions { Masters = 3, PostgreSql = postgres.Server, Agents = Agents() }, masterOutage: TimeSpan.FromSeconds(25));

    private static List<TestAgent> Agents() =>
        AgentNames.Select(a => new TestAgent(a, Hocon: $"scheduler.agent.reconnect-window = {SoakSettings.Window.TotalSeconds}s")).ToList();

    private async Task SoakAsync(TestClusterOptions options, TimeSpan masterOutage)
    {
        var settings = SoakSettings.FromEnvironment();
        var plan = ChaosPlan.Make(settings.Seed, settings.Chaos, AgentNames, masterOutage, options.Partitionable);
        output.WriteLine($"seed {settings.Seed} (replay: SCHEDULER_SOAK_SEED={settings.Seed}), chaos {settings.Chaos.TotalSeconds:0}s, {plan.Count} faults planned");
        var started = DateTimeOffset.UtcNow;
        await using var cluster = await TestCluster.StartAsync(options);
        var marks = Path.Combine(cluster.Root, "marks");
        var runner = new ChaosRunner(cluster, output);
        var submitter = new Submitter(cluster, settings.Seed, AgentNames, marks, runner.Available);
        using var stop = new CancellationTokenSource();
        var submitting = submitter.RunAsync(stop.Token);
        await runner.RunAsync(plan);
        stop.Cancel();
        await submitting;

        var evidence = await GatherAsync(cluster, submitter, runner.Record, marks, started);
        output.WriteLine(SoakCounts.Describe(evidence));
        var violations = SoakChecks.Violations(evidence);
        output.WriteLine($"took {(DateTimeOffset.UtcNow - started).TotalSeconds:0}s");
        Assert.True(violations.Count == 0,
            $"seed {settings.Seed} (replay with SCHEDULER_SOAK_SEED={settings.Seed}): {violations.Count} violation(s):\n"
            + string.Join("\n", violations.Take(40)));
    }

    /// <summary>Waits until every accepted task is final, then reads the Master, the agents' journals, the marks and the logs.</summary>
    private static async Task<SoakEvidence> GatherAsync(TestCluster cluster, Submitter submitter, RunRecord record, string marks, DateTimeOffset started)
    {
        var accepted = new Dictionary<string, TaskView>();
        foreach (var task in submitter.Attempted)
        {
            if (await cluster.QueryAsync(new GetTask(task.TaskId)) is TaskResult)
            {
                accepted[task.TaskId] = await cluster.WaitForFinalAsync(task.TaskId);
            }
        }

        var mismatches = new List<string>();
        long bytes = 0;
        foreach (var view in accepted.Values)
        {
            if (await cluster.CompareLogAsync(view.Agent, view.TaskId) is { } mismatch)
            {
                mismatches.Add(mismatch);
            }
            else if (File.Exists(cluster.AgentLogPath(view.Agent, view.TaskId)))
            {
                bytes += new FileInfo(cluster.AgentLogPath(view.Agent, view.TaskId)).Length;
            }
        }

        var journals = new Dictionary<string, IReadOnlyList<ITaskEvent>>();
        foreach (var agent in AgentNames)
        {
            journals[agent] = await cluster.AgentJournalAsync(agent);
        }

        var history = await cluster.WholeHistoryAsync(null, started - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        var lines = File.Exists(marks) ? await File.ReadAllLinesAsync(marks) : [];
        return new SoakEvidence(submitter.Attempted, accepted, history, journals, lines, mismatches, bytes, record);
    }
}
