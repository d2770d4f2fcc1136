using System.Diagnostics;
using System.Globalization;
using Scheduler.Agent;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;

namespace Scheduler.Benchmarks.Throughput;

/// <summary>
/// End-to-end task throughput on one agent, for the Master's journal kind: N trivial tasks (<c>/bin/true</c>)
/// submitted through a real ClusterClient with <see cref="Parallelism"/> submits in flight, until the Master's
/// state holds none unfinished (each final event adopted). Baseline: raw <see cref="Process.Start"/> of the same
/// command at the same parallelism in the same run.
/// </summary>
public sealed class ThroughputBenchmark(string kind) : IBenchmark
{
    private const int DefaultTasks = 1_000;
    private const int Parallelism = 16;
    private const string AgentName = "bench-agent";

    /// <summary>
    /// The shipped heartbeat timings, not the specs' fast ones: with unreachable-after = 1.5s the loaded two-core
    /// machine missed heartbeats and the Master refused submits for a decoupled agent.
    /// </summary>
    private static readonly Akka.Configuration.Config ShippedTimings =
        Akka.Configuration.ConfigurationFactory.ParseString("scheduler { heartbeat-interval = 1s, unreachable-after = 5s }");

    public string Name => "throughput-" + kind;

    public string Description => $"N trivial tasks (default {DefaultTasks:N0}) through the Master ({kind} journal) and one agent; tasks/s";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.Events ?? DefaultTasks;
        var root = TempFolder.For(Name);
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        await using var journal = await MasterJournal.CreateAsync(kind, root);
        try
        {
            var baseline = await RawSpawnRateAsync(tasks, cancellationToken);
            Console.WriteLine($"baseline: {tasks:N0} × /bin/true by Process.Start, {Parallelism} at a time: {baseline:N0} processes/s");

            var master = SchedulerNodes.StartMasterSystem(ShippedTimings.WithFallback(journal.Hocon).With(options.Hocon), "benchmark", "127.0.0.1", 0);
            var agentConfig = ShippedTimings.WithFallback(AdoptionHocon.Agent(AgentName, Path.Combine(root, "agent"), SchedulerNodes.Address(master)));
            var agent = AgentHost.Start(agentConfig.With(options.Hocon),
                "benchmark", "127.0.0.1", 0, TimeProvider.System);
            await using var probe = new MasterProbe(SchedulerNodes.Address(master));
            try
            {
                await WaitForAgentAsync(probe, cancellationToken);
                var elapsed = await RunTasksAsync(probe, tasks, cancellationToken);
                var rate = tasks / elapsed.TotalSeconds;
                return [new BenchmarkResult(Name, rate, "tasks/s", baseline, "processes/s", "raw Process.Start, same parallelism",
                    Target.AtLeast(0.6 * baseline),
                    $"{tasks:N0} tasks submitted {Parallelism} at a time, all final in the Master in {elapsed.TotalSeconds:0.00} s = "
                    + $"{rate.ToString("N0", CultureInfo.InvariantCulture)} tasks/s")];
            }
            finally
            {
                SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Fatal);
                await agent.StopAsync();
                await master.Terminate();
            }
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
    }

    private static async Task WaitForAgentAsync(MasterProbe probe, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await probe.QueryAsync<AgentsResult>(GetAgents.Instance, TimeSpan.FromSeconds(2), cancellationToken)).Agents
               .All(a => a.Name != AgentName || a.State != AgentState.Connected))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"agent {AgentName} never connected");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<TimeSpan> RunTasksAsync(MasterProbe probe, int tasks, CancellationToken cancellationToken)
    {
        var answer = TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Parallelism);
        var submits = Enumerable.Range(0, tasks).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var spec = new TaskSpec($"bench-{i:D6}", ["/bin/true"], null, new Dictionary<string, string>(), null);
                var result = await probe.QueryAsync<object>(new SubmitTask(AgentName, spec), answer, cancellationToken);
                if (result is not TaskResult)
                {
                    throw new InvalidOperationException($"submit {i} answered {result}");
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(submits);

        while ((await probe.QueryAsync<StatusResult>(GetStatus.Instance, answer, cancellationToken)).Status.UnfinishedTasks is not 0)
        {
            await Task.Delay(20, cancellationToken);
        }

        var elapsed = clock.Elapsed;
        var failed = (await probe.QueryAsync<TasksResult>(new GetHistory(AgentName, null, 1_000), answer, cancellationToken)).Tasks
            .Count(t => t.State != TaskState.Succeeded);
        return failed == 0 ? elapsed : throw new InvalidOperationException($"{failed} of the newest 1,000 tasks did not succeed");
    }

    private static async Task<double> RawSpawnRateAsync(int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
                await process.WaitForExitAsync(cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }
}
