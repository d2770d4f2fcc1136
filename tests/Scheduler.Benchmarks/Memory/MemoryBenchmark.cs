using System.Diagnostics;
using Akka.Actor;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
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
public sealed class MemoryBenchmark : IBenchmark
{
    private const int DefaultTasks = 500;
    private const int IdleAgents = 20;

    public string Name => "memory";

    public string Description => $"memory per running task (N, default {DefaultTasks}) and per idle connected agent, vs raw processes and bare actor systems";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.Events ?? DefaultTasks;
        var rawPerProcess = await RawProcessBytesAsync(tasks);
        var rawPerSystem = await BareSystemBytesAsync(IdleAgents);
        Console.WriteLine($"baselines: raw process {Kb(rawPerProcess)} each, bare ActorSystem {Kb(rawPerSystem)} each");

        // The shipped heartbeat timings, not the TestKit's fast ones: hundreds of submits in a row kept the loaded
        // two-core machine from answering heartbeats within the TestKit's 1.5 s, and the agent had to couple again.
        const string shippedTimings = "scheduler { heartbeat-interval = 1s, unreachable-after = 5s }\n";
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Partitionable = false, Agents = ["a1"], MasterHocon = shippedTimings + options.Hocon, AgentHocon = shippedTimings + options.Hocon,
        });
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        var (heap0, rss0) = Measure();
        var submitted = new List<string>();
        for (var i = 0; i < tasks; i++)
        {
            submitted.Add((await cluster.SubmitAsync("a1", "sleep", "600")).TaskId);
        }

        foreach (var id in submitted)
        {
            await cluster.WaitForTaskAsync(id, TaskState.Running);
        }

        var (heap1, rss1) = Measure();
        var perTask = (heap1 - heap0) / (double)tasks;
        Console.WriteLine($"{tasks} tasks running: heap +{Kb(perTask)} per task, resident +{Kb((rss1 - rss0) / (double)tasks)} per task");

        for (var i = 0; i < IdleAgents; i++)
        {
            await cluster.StartAgentAsync($"idle-{i:00}");
        }

        var (heap2, rss2) = Measure();
        var perAgent = (heap2 - heap1) / (double)IdleAgents;
        Console.WriteLine($"{IdleAgents} idle agents connected: heap +{Kb(perAgent)} per agent, resident +{Kb((rss2 - rss1) / (double)IdleAgents)} per agent");
        foreach (var process in cluster.Processes.All)
        {
            await process.KillAsync(TimeSpan.FromMilliseconds(200));
        }

        return
        [
            new BenchmarkResult("memory-task", perTask / 1024, "KiB per running task", rawPerProcess / 1024, "KiB per process", "raw Process.Start with both streams read",
                Target.AtMost(256), $"{tasks} sleep tasks running on one agent, master and agent in one process: managed heap +{Kb(perTask)} per task, resident +{Kb((rss1 - rss0) / (double)tasks)}"),
            new BenchmarkResult("memory-agent", perAgent / 1024, "KiB per idle agent", rawPerSystem / 1024, "KiB per system", "a bare ActorSystem with remoting",
                Target.AtMost(4096), $"{IdleAgents} idle agents connected (journal, heartbeats, ClusterClient): managed heap +{Kb(perAgent)} per agent, resident +{Kb((rss2 - rss1) / (double)IdleAgents)}"),
        ];
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
