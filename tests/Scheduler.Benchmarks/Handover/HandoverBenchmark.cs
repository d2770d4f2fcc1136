using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Scheduler.Benchmarks.Harness;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Handover;

/// <summary>
/// Fail-over of the active master with real processes: three <c>scheduler master</c> processes and one agent on a
/// fresh PostgreSQL database, the active master (the singleton's node, per <c>scheduler status</c>) killed with
/// SIGKILL or stopped with SIGTERM, and the time until <c>scheduler status</c> prints an answer from another master
/// with the database available and the agent connected. Status is polled one command after another (each waits at
/// most <see cref="MasterCluster.PollTimeout"/>), so the figure includes the answering command's own start, as an
/// operator sees it. Each round measures both, each on a cluster of its own, and the baseline: a single master killed
/// with SIGKILL and started again at once on its port (what an operator gets without HA). The figures are medians over
/// the rounds; the targets (kill -9 at most 10 s, SIGTERM at most 5 s) are for that median. Each measurement's steps
/// are read from the nodes' log lines, to show where the time goes.
/// </summary>
public sealed partial class HandoverBenchmark : IBenchmark
{
    private const int DefaultRounds = 5;
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(30);

    /// <summary>A crash: the others detect it, the split brain resolver downs it, the leader removes it, and after the margin the singleton starts elsewhere.</summary>
    private static readonly HandoverStep[] CrashSteps =
    [
        new("unreachable", MarkedUnreachable()),
        new("downed", SbrDecision()),
        new("removed", LeaderRemoving()),
        new("singleton", SingletonStarted()),
        new("recovered", RunStarted()),
        new("agent-moved", AgentContact()),
        new("coupled", AgentCoupled()),
    ];

    /// <summary>A graceful stop: the master leaves, the leader lets it exit, it hands the singleton over.</summary>
    private static readonly HandoverStep[] LeaveSteps =
    [
        new("exiting", LeaderExiting()),
        new("singleton", SingletonStarted()),
        new("recovered", RunStarted()),
        new("agent-moved", AgentContact()),
        new("coupled", AgentCoupled()),
    ];

    private static readonly HandoverStep[] RestartSteps =
    [
        new("recovered", RunStarted()),
        new("agent-moved", AgentContact()),
        new("coupled", AgentCoupled()),
    ];

    public string Name => "handover";

    public string Description =>
        $"3 master processes + agent (PostgreSQL): kill -9 / SIGTERM of the active one until another serves; median s of N rounds (default {DefaultRounds}, --rounds N)";

    [GeneratedRegex(@"Marking node\(s\) as UNREACHABLE")]
    private static partial Regex MarkedUnreachable();

    [GeneratedRegex("SBR took decision")]
    private static partial Regex SbrDecision();

    [GeneratedRegex("Leader is removing .*node")]
    private static partial Regex LeaderRemoving();

    [GeneratedRegex(@"Leader is moving node \[.*\] to \[Exiting\]")]
    private static partial Regex LeaderExiting();

    [GeneratedRegex("Singleton manager started singleton actor")]
    private static partial Regex SingletonStarted();

    [GeneratedRegex("Master run .* started, epoch")]
    private static partial Regex RunStarted();

    /// <summary>The agent's ClusterClient reached a receptionist (another master's, or the restarted one's).</summary>
    [GeneratedRegex(@"Connected to \[akka\.tcp://scheduler@.*/system/receptionist\]")]
    private static partial Regex AgentContact();

    [GeneratedRegex($"Agent {MasterCluster.AgentName} (registered|reconnected), ")]
    private static partial Regex AgentCoupled();

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rounds = options.Rounds ?? DefaultRounds;
        var root = TempFolder.For(Name);
        var logs = TempFolder.For(Name + "-logs");
        Console.WriteLine($"each measurement's node logs: {logs} (kept)");
        await using var postgres = await PostgresServer.StartAsync();
        var (crashes, leaves, restarts) = (new List<Measurement>(), new List<Measurement>(), new List<Measurement>());
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var measure = new Measurer(postgres, root, logs, round, options.Hocon);
                crashes.Add(await measure.HandOverAsync("kill", (cluster, node) => cluster.KillAsync(node), CrashSteps, cancellationToken));
                Console.WriteLine($"round {round}/{rounds} kill -9: {crashes[^1]}");
                leaves.Add(await measure.HandOverAsync("sigterm", (cluster, node) => cluster.StopAsync(node, StopPatience), LeaveSteps, cancellationToken));
                Console.WriteLine($"round {round}/{rounds} SIGTERM: {leaves[^1]}");
                restarts.Add(await measure.RestartAsync(RestartSteps, cancellationToken));
                Console.WriteLine($"round {round}/{rounds} restart: {restarts[^1]}");
            }
        }
        finally
        {
            TempFolder.TryDelete(root);
        }

        var baseline = Statistics.Median(restarts.Select(r => r.Seconds));
        Console.WriteLine($"baseline, one master killed and started again at once: median {S(baseline)} s, max {S(restarts.Max(r => r.Seconds))} s; "
                          + $"median steps: {MedianSteps(restarts, RestartSteps)}");
        return
        [
            Result("handover-kill", "kill -9 of the active master", crashes, CrashSteps, baseline, Target.AtMost(10)),
            Result("handover-sigterm", "SIGTERM of the active master", leaves, LeaveSteps, baseline, Target.AtMost(5)),
        ];
    }

    private static BenchmarkResult Result(string name, string what, List<Measurement> runs, HandoverStep[] steps, double baseline, Target target)
    {
        var median = Statistics.Median(runs.Select(r => r.Seconds));
        var max = runs.Max(r => r.Seconds);
        var stepMedians = MedianSteps(runs, steps);
        Console.WriteLine($"{what}: median {S(median)} s, max {S(max)} s; median steps: {stepMedians}");
        return new BenchmarkResult(name, median, "s (median)", baseline, "s (median)", "one master killed, started again at once", target,
            $"{what} until another master serves with the agent connected, {runs.Count} rounds: "
            + $"{string.Join(", ", runs.Select(r => S(r.Seconds)))} s (max {S(max)}); median steps: {stepMedians}");
    }

    /// <summary>Each step's median over the measurements that logged it ("-" when none did).</summary>
    private static string MedianSteps(List<Measurement> runs, HandoverStep[] steps) =>
        string.Join(", ", steps.Select(step => runs.Select(r => r.Steps[step.Name]).OfType<double>().ToList() is { Count: > 0 } times
            ? $"{step.Name} +{S(Statistics.Median(times))}"
            : $"{step.Name} -"));


    private static string S(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// One measurement: seconds until a master served again, when the <c>status</c> command that saw it had been
    /// started (the poll's share is the difference), and when its steps showed in the logs.
    /// </summary>
    private sealed record Measurement(double Seconds, double Asked, HandoverTimeline Steps)
    {
        public override string ToString() => $"{S(Seconds)} s ({Steps}; status asked +{S(Asked)})";
    }

    /// <summary>The measurements of one round, each on a cluster and database of its own.</summary>
    private sealed class Measurer(PostgresServer postgres, string root, string logs, int round, string? hocon)
    {
        /// <summary>
        /// 3 masters + agent; <paramref name="end"/> ends the active master (a graceful stop completes while the others
        /// take over, so it is awaited after); until another master serves.
        /// </summary>
        public async Task<Measurement> HandOverAsync(
            string kind, Func<MasterCluster, string, Task> end, HandoverStep[] steps, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = $"round-{round}-{kind}";
            await using var cluster = await MasterCluster.StartAsync(Path.Combine(root, folder), await postgres.CreateDatabaseAsync(), 3, hocon);
            try
            {
                var active = (await cluster.WaitForServingAsync(_ => true, ServeTimeout)).Status.Node;
                var at = DateTime.Now;
                var clock = Stopwatch.StartNew();
                var ending = end(cluster, active);
                try
                {
                    var (_, asked, answered) = await cluster.WaitForServingAsync(s => s.Node != active, ServeTimeout, clock);
                    return new Measurement(answered.TotalSeconds, asked.TotalSeconds, HandoverTimeline.Read(cluster.Nodes.Select(n => n.Log), at, steps));
                }
                finally
                {
                    await ending;
                }
            }
            finally
            {
                cluster.SaveLogs(Path.Combine(logs, folder));
            }
        }

        /// <summary>1 master + agent; SIGKILL, start it again on its port at once; until it serves.</summary>
        public async Task<Measurement> RestartAsync(HandoverStep[] steps, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = $"round-{round}-restart";
            await using var cluster = await MasterCluster.StartAsync(Path.Combine(root, folder), await postgres.CreateDatabaseAsync(), 1, hocon);
            try
            {
                var before = (await cluster.WaitForServingAsync(_ => true, ServeTimeout)).Status;
                var at = DateTime.Now;
                var clock = Stopwatch.StartNew();
                await cluster.KillAsync(before.Node);
                await cluster.StartMasterAsync(before.Node);
                var (_, asked, answered) = await cluster.WaitForServingAsync(s => s.RunId != before.RunId, ServeTimeout, clock);
                return new Measurement(answered.TotalSeconds, asked.TotalSeconds, HandoverTimeline.Read(cluster.Nodes.Select(n => n.Log), at, steps));
            }
            finally
            {
                cluster.SaveLogs(Path.Combine(logs, folder));
            }
        }
    }
}
