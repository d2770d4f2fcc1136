using System.Diagnostics;
using Akka.Actor;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Benchmarks.Scale;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Memory;

/// <summary>
/// Memory per running task and per idle connected agent, in this process, which hosts the master and the agents
/// (Scheduler.TestKit's in-process cluster): N tasks (default 500) of <c>sleep</c> running on one agent, then 20 more
/// idle agents. The figures are managed heap growth (after full collections) divided by the count; the process's
/// resident memory growth is printed beside it. Baselines, in the same run: a raw <see cref="Process.Start"/> of the
/// same command with both output streams read (the least a supervisor holds per process), and a bare ActorSystem with
/// remoting (the least an agent is).
/// </summary>
/// <remarks>
/// As <c>scale-tasks</c> (issue 8's 2,000 concurrently running tasks on one agent) it runs 2,000 tasks and no idle
/// agents, and also measures the process's CPU over <see cref="CpuPeriod"/> while they run, against the same cluster
/// idle before the submits.
/// </remarks>
public sealed class MemoryBenchmark(string name = "memory", int defaultTasks = 500, int idleAgents = 20) : IBenchmark
{
    private static readonly TimeSpan CpuPeriod = TimeSpan.FromSeconds(20);

    private bool MeasuresCpu => idleAgents == 0;

    public string Name => name;

    public string Description => MeasuresCpu
        ? $"{defaultTasks:N0} tasks running at once on one agent: memory per task and CPU while they run"
        : $"memory per running task (N, default {defaultTasks}) and per idle connected agent, vs raw processes and bare actor systems";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.Events ?? defaultTasks;
        var rawPerProcess = await RawProcessBytesAsync(tasks);
        var rawPerSystem = await BareSystemBytesAsync(Math.Max(idleAgents, 1));
        Console.WriteLine($"baselines: raw process {Kb(rawPerProcess)} each, bare ActorSystem {Kb(rawPerSystem)} each");

        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Partitionable = false, Agents = ["a1"],
            MasterHocon = AdoptionHocon.ShippedTimings + options.Hocon, AgentHocon = AdoptionHocon.ShippedTimings + options.Hocon,
        });
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        var idleCpu = MeasuresCpu ? await SettledIdleCpuAsync(cluster, cancellationToken) : 0;
        var (heap0, rss0) = Measure();
        var submitted = new List<string>();
        using (var progress = new Progress("sleep tasks submitted", tasks))
        {
            for (var i = 0; i < tasks; i++)
            {
                submitted.Add((await cluster.SubmitAsync("a1", "sleep", "600")).TaskId);
                progress.Advance();
            }
        }

        using (var progress = new Progress("sleep tasks running", tasks))
        {
            foreach (var id in submitted)
            {
                await cluster.WaitForTaskAsync(id, TaskState.Running);
                progress.Advance();
            }
        }

        var (heap1, rss1) = Measure();
        var perTask = (heap1 - heap0) / (double)tasks;
        Console.WriteLine($"{tasks} tasks running: heap +{Kb(perTask)} per task, resident +{Kb((rss1 - rss0) / (double)tasks)} per task");
        var taskRow = new BenchmarkResult(name + "-task", perTask / 1024, "KiB per running task", rawPerProcess / 1024, "KiB per process",
            "raw Process.Start with both streams read", Target.AtMost(256),
            $"{tasks} sleep tasks running on one agent, master and agent in one process: managed heap +{Kb(perTask)} per task, resident +{Kb((rss1 - rss0) / (double)tasks)}");
        if (MeasuresCpu)
        {
            var busyCpu = await ProcessCpu.ShareOfOneCoreAsync(Environment.ProcessId, CpuPeriod, cancellationToken);
            await KillAllAsync(cluster);
            return
            [
                taskRow,
                // Ours: the issue names no target; running tasks should cost the agent and Master little more than idle.
                new BenchmarkResult(name + "-cpu", busyCpu * 100, "% of one core", idleCpu * 100, "% of one core", "the same Master and agent idle, no task",
                    Target.AtMost(25), $"{tasks} sleep tasks running on one agent, Master and agent in one process, CPU over {CpuPeriod.TotalSeconds:0} s "
                    + $"(log copies, heartbeats, process watching): {busyCpu * 100:0.0} % of one core; idle before the submits {idleCpu * 100:0.0} %"),
            ];
        }

        for (var i = 0; i < idleAgents; i++)
        {
            await cluster.StartAgentAsync($"idle-{i:00}");
        }

        var (heap2, rss2) = Measure();
        var perAgent = (heap2 - heap1) / (double)idleAgents;
        Console.WriteLine($"{idleAgents} idle agents connected: heap +{Kb(perAgent)} per agent, resident +{Kb((rss2 - rss1) / (double)idleAgents)} per agent");
        await KillAllAsync(cluster);
        return
        [
            taskRow,
            new BenchmarkResult(name + "-agent", perAgent / 1024, "KiB per idle agent", rawPerSystem / 1024, "KiB per system", "a bare ActorSystem with remoting",
                Target.AtMost(4096), $"{idleAgents} idle agents connected (journal, heartbeats, ClusterClient): managed heap +{Kb(perAgent)} per agent, resident +{Kb((rss2 - rss1) / (double)idleAgents)}"),
        ];
    }

    /// <summary>
    /// The nodes' CPU with no task, once settled: the first measure, taken right after the start, showed 53 % of a core
    /// (start-up, JIT, the journals' first queries), more than 2,000 running tasks cost later.
    /// </summary>
    private static async Task<double> SettledIdleCpuAsync(TestCluster cluster, CancellationToken cancellationToken)
    {
        await cluster.WaitForTaskAsync((await cluster.SubmitAsync("a1", "true")).TaskId, TaskState.Succeeded);
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        return await ProcessCpu.ShareOfOneCoreAsync(Environment.ProcessId, CpuPeriod, cancellationToken);
    }

    private static async Task KillAllAsync(TestCluster cluster)
    {
        foreach (var process in cluster.Processes.All)
        {
            await process.KillAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    private static (long Heap, long Resident) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), self.WorkingSet64);
    }

    private static async Task<double> RawProcessBytesAsync(int count)
    {
        var (before, _) = Measure();
        var processes = new List<Process>();
        for (var i = 0; i < count; i++)
        {
            var process = Process.Start(new ProcessStartInfo("sleep", "600") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            processes.Add(process);
        }

        var (after, _) = Measure();
        foreach (var process in processes)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }

        return (after - before) / (double)count;
    }

    private static async Task<double> BareSystemBytesAsync(int count)
    {
        var (before, _) = Measure();
        var systems = Enumerable.Range(0, count).Select(i => ActorSystem.Create($"bare-{i}", AdoptionHocon.Client())).ToList();
        var (after, _) = Measure();
        await Task.WhenAll(systems.Select(s => s.Terminate()));
        return (after - before) / (double)count;
    }

    private static string Kb(double bytes) => $"{bytes / 1024:0.0} KiB";
}
