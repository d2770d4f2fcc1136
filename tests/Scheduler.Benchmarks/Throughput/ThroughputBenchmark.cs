using System.Diagnostics;
using System.Globalization;
using Scheduler.Agent;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Benchmarks.Scale;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;

namespace Scheduler.Benchmarks.Throughput;

/// <summary>
/// End-to-end task throughput, for the Master's journal kind and one or two agents: N trivial tasks (<c>/bin/true</c>)
/// submitted through a real ClusterClient with <see cref="Parallelism"/> submits in flight (to the agents in turn),
/// until the Master's state holds none unfinished (each final event adopted). A warm-up of N/10 tasks runs first, not
/// measured. Baseline: raw <see cref="Process.Start"/> of the same command at the same parallelism in the same run.
/// Also printed: start latency (submit → process started, from the history's timestamps) and CPU per task
/// (this process and its children: Master, agents and task processes) until every task is settled (its log held and
/// moved to the history table) next to CPU per raw spawn.
/// </summary>
public sealed class ThroughputBenchmark(string kind, int agents = 1) : IBenchmark
{
    /// <summary>
    /// Long enough to average what does not come with every task: with 1,000, the CPU per task depended on where the
    /// window fell (1,000 after a warm-up of 100: 15-18 ms; after a warm-up of 1,000: 21-23 ms; 8,000: 16.2 ms; with the
    /// runtime's tiered compilation off: 13.4-14.9 ms). Over 4,000: 18.0 ms; without the Master's snapshots 16.5 (within
    /// the noise); with tiering off 14.8: methods still being promoted by tiered compilation, not the snapshots.
    /// </summary>
    private const int DefaultTasks = 4_000;
    private const int Parallelism = 16;

    private static readonly Akka.Configuration.Config ShippedTimings = Akka.Configuration.ConfigurationFactory.ParseString(AdoptionHocon.ShippedTimings);

    private readonly IReadOnlyList<string> _agentNames = Enumerable.Range(1, agents).Select(i => $"bench-agent-{i}").ToList();

    public string Name => "throughput-" + kind + (agents == 1 ? "" : $"-{agents}-agents");

    public string Description =>
        $"N trivial tasks (default {DefaultTasks:N0}) through the Master ({kind} journal) and {(agents == 1 ? "one agent" : $"{agents} agents")}; tasks/s";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.Events ?? DefaultTasks;
        var root = TempFolder.For(Name);
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        await using var journal = await MasterJournal.CreateAsync(kind, root);
        try
        {
            var cpuBefore = ProcessCpu.UsedWithChildren();
            var baseline = await RawSpawnRateAsync(tasks, cancellationToken);
            var rawCpu = (ProcessCpu.UsedWithChildren() - cpuBefore) / tasks;
            Console.WriteLine($"baseline: {tasks:N0} × /bin/true by Process.Start, {Parallelism} at a time: {baseline:N0} processes/s, "
                + $"CPU {rawCpu.TotalMilliseconds:0.0} ms per process");

            var master = SchedulerNodes.StartMasterSystem(ShippedTimings.WithFallback(journal.Hocon).With(options.Hocon), "benchmark", "127.0.0.1", 0);
            var agentHosts = _agentNames.Select(name => AgentHost.Start(
                ShippedTimings.WithFallback(AdoptionHocon.Agent(name, Path.Combine(root, name), SchedulerNodes.Address(master))).With(options.Hocon),
                "benchmark", "127.0.0.1", 0, TimeProvider.System)).ToList();
            await using var probe = new MasterProbe(SchedulerNodes.Address(master));
            try
            {
                await WaitForAgentsAsync(probe, cancellationToken);
                // Not measured: the first tasks pay for JIT compilation and the journals' first queries. Settled before
                // the measured run starts, so none of their work (log copies, moves to the history) falls into it.
                var warmup = Math.Max(50, tasks / 10);
                await RunTasksAsync(probe, "warmup", warmup, cancellationToken);
                await WaitUntilInHistoryTableAsync(journal, "warmup", warmup, cancellationToken);
                cpuBefore = ProcessCpu.UsedWithChildren();
                var run = await RunTasksAsync(probe, "bench", tasks, cancellationToken);
                var settled = await WaitUntilInHistoryTableAsync(journal, "bench", tasks, cancellationToken);
                var taskCpu = (ProcessCpu.UsedWithChildren() - cpuBefore) / tasks;
                var (startP50, startP99) = await StartLatencyAsync(probe, "bench", tasks, cancellationToken);
                var rate = tasks / run.TotalSeconds;
                return [new BenchmarkResult(Name, rate, "tasks/s", baseline, "processes/s", "raw Process.Start, same parallelism",
                    Target.AtLeast(0.6 * baseline),
                    $"{tasks:N0} tasks to {(agents == 1 ? "one agent" : $"{agents} agents")}, submitted {Parallelism} at a time, all final in the Master "
                    + $"in {run.TotalSeconds:0.00} s = {rate.ToString("N0", CultureInfo.InvariantCulture)} tasks/s; start latency "
                    + $"p50 {startP50:0} ms p99 {startP99:0} ms; CPU {taskCpu.TotalMilliseconds:0.0} ms per task until each is settled "
                    + $"(log held, moved to the history table; all after {settled.TotalSeconds:0.0} s) (raw spawn {rawCpu.TotalMilliseconds:0.0} ms)")];
            }
            finally
            {
                SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Fatal);
                await Task.WhenAll(agentHosts.Select(a => a.StopAsync()));
                await master.Terminate();
            }
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
    }

    private async Task WaitForAgentsAsync(MasterProbe probe, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await probe.QueryAsync<AgentsResult>(GetAgents.Instance, TimeSpan.FromSeconds(2), cancellationToken)).Agents
               .Count(a => _agentNames.Contains(a.Name) && a.State == AgentState.Connected) < _agentNames.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"agents {string.Join(", ", _agentNames)} never all connected");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Submits the tasks and waits until the Master holds each one final; the time that took.</summary>
    private async Task<TimeSpan> RunTasksAsync(MasterProbe probe, string prefix, int tasks, CancellationToken cancellationToken)
    {
        var answer = TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        using (var progress = new Progress($"{prefix} tasks submitted", tasks))
        {
            await InParallelAsync(tasks, async i =>
            {
                var spec = new TaskSpec($"{prefix}-{i:D6}", ["/bin/true"], null, new Dictionary<string, string>(), null);
                var result = await probe.QueryAsync<object>(new SubmitTask(_agentNames[i % _agentNames.Count], spec), answer, cancellationToken);
                progress.Advance();
                return result as TaskResult ?? throw new InvalidOperationException($"submit {i} answered {result}");
            }, cancellationToken);
        }

        while ((await probe.QueryAsync<StatusResult>(GetStatus.Instance, answer, cancellationToken)).Status.UnfinishedTasks is not 0)
        {
            await Task.Delay(20, cancellationToken);
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Waits until every task is settled: its whole log held by the Master and moved with it to the history table.
    /// The work a task costs after it is final (log copy, move) counts in its CPU; left out, the figure depended on how
    /// much of it trailed behind the measured window. Returns the time since the call.
    /// </summary>
    private static async Task<TimeSpan> WaitUntilInHistoryTableAsync(MasterJournal journal, string prefix, int tasks, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromMinutes(5);
        await using var connection = journal.Connect();
        await connection.OpenAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM {Master.History.TaskHistoryStore.Table} WHERE task_id LIKE '{prefix}-%'";
        long moved;
        while ((moved = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)) < tasks)
        {
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"{moved} of {tasks} {prefix} tasks reached the history table in {deadline.TotalMinutes} minutes");
            }

            await Task.Delay(100, cancellationToken);
        }

        return clock.Elapsed;
    }

    /// <summary>Start latency (submit → process started) from the history's timestamps; also checks every task succeeded.</summary>
    private async Task<(double P50, double P99)> StartLatencyAsync(MasterProbe probe, string prefix, int tasks, CancellationToken cancellationToken)
    {
        var answer = TimeSpan.FromSeconds(30);
        // Each task asked for by id: a history page holds only as many as fit in a frame.
        var history = await InParallelAsync(tasks,
            async i => (await probe.QueryAsync<TaskResult>(new GetTask($"{prefix}-{i:D6}"), answer, cancellationToken)).Task, cancellationToken);
        var failed = history.Count(t => t.State != TaskState.Succeeded);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {tasks} {prefix} tasks did not succeed");
        }

        var startLatency = history.Select(t => (t.StartedAt!.Value - t.SubmittedAt).TotalMilliseconds).ToList();
        return (Statistics.Percentile(startLatency, 0.5), Statistics.Percentile(startLatency, 0.99));
    }

    private static async Task<double> RawSpawnRateAsync(int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await InParallelAsync(count, async _ =>
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }, cancellationToken);
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>action(0) … action(count - 1), <see cref="Parallelism"/> at a time.</summary>
    private static async Task<T[]> InParallelAsync<T>(int count, Func<int, Task<T>> action, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Parallelism);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await action(i);
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}
