using System.Diagnostics;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Cli.Tests.Support;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Hosting;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Scale;

/// <summary>
/// N agents (default 100) on one master: a real <c>scheduler master</c> process (so its CPU can be read from /proc)
/// and the agents as ActorSystems in this process, each with its own journal, on the shipped heartbeat timings.
/// Figures: what the connected agents cost the idle master's CPU (its share of one core over 30 s with every agent
/// connected, minus the same master's with no agent, measured first, which is the baseline) and, after a
/// <c>kill -9</c> of the master and a start on the same port and data, the time until all N are Connected again
/// (baseline: the master's own start until it answers).
/// </summary>
public sealed partial class ScaleBenchmark : IBenchmark
{
    private const int DefaultAgents = 100;
    private static readonly TimeSpan IdlePeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(15);
    private static readonly Config ShippedTimings = ConfigurationFactory.ParseString(AdoptionHocon.ShippedTimings);

    public string Name => "scale";

    public string Description => $"N agents (default {DefaultAgents}) on one master process: idle master CPU, all coupled after a master restart";

    [GeneratedRegex(@"master at (127\.0\.0\.1:\d+) running")]
    private static partial Regex MasterStarted();

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = options.Events ?? DefaultAgents;
        // N agents share this process's thread pool, where each real agent has its own: their SQLite journals block
        // pool threads (Microsoft.Data.Sqlite's async calls run synchronously), and with the pool's default minimum
        // (one thread per core) a hundred starting agents starved each other's remoting until associations timed out.
        ThreadPool.GetMinThreads(out var workers, out var ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 2 * count), ports);
        var root = TempFolder.For(Name);
        var port = LoopbackPorts.Free();
        var agents = new List<AgentHost>();
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        var master = await StartMasterAsync(root, port);
        var address = $"127.0.0.1:{port}";
        try
        {
            await using var probe = new MasterProbe(address);
            await Task.Delay(Settle, cancellationToken); // past start-up work (JIT, cluster formation, the recovery rehearsal)
            var idleAlone = await ProcessCpu.ShareOfOneCoreAsync(master.Id, IdlePeriod, cancellationToken);
            Console.WriteLine($"master alone: {idleAlone:P1} of one core over {IdlePeriod.TotalSeconds:0} s");

            // Started ten at a time, each ten coupled before the next: the first coupling is not what is measured, and
            // a hundred ActorSystems starting at once in this process starve each other on two cores.
            var clock = Stopwatch.StartNew();
            using (var progress = new Progress("agents started", count))
            {
                for (var i = 0; i < count; i++)
                {
                    progress.Advance();
                    var name = $"agent-{i:000}";
                    agents.Add(AgentHost.Start(ShippedTimings.WithFallback(AdoptionHocon.Agent(name, Path.Combine(root, name), address)).With(options.Hocon),
                        "benchmark", "127.0.0.1", 0, TimeProvider.System));
                    if (agents.Count % 10 == 0 || agents.Count == count)
                    {
                        await WaitForConnectedAsync(probe, agents.Count, cancellationToken);
                    }
                }
            }

            Console.WriteLine($"{count} agents started and connected in {clock.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(Settle, cancellationToken);
            var idleWithAgents = await ProcessCpu.ShareOfOneCoreAsync(master.Id, IdlePeriod, cancellationToken);
            // The target is what the agents cost the master; the master's own idle work (cluster ticks, timers, the runtime) is
            // there with no agent and is the baseline.
            var agentsCost = Math.Max(0, idleWithAgents - idleAlone);
            Console.WriteLine($"master with {count} agents: {idleWithAgents:P1} of one core over {IdlePeriod.TotalSeconds:0} s: the agents cost {agentsCost:P1}");

            await master.DisposeAsync(); // SIGKILL
            var restart = Stopwatch.StartNew();
            master = await StartMasterAsync(root, port);
            await WaitForConnectedAsync(probe, 0, cancellationToken);
            var answering = restart.Elapsed;
            await WaitForConnectedAsync(probe, count, cancellationToken);
            var total = restart.Elapsed;
            Console.WriteLine($"after kill -9 and a start on the same port: answering after {answering.TotalSeconds:0.0} s, all {count} Connected after {total.TotalSeconds:0.0} s");

            return
            [
                new BenchmarkResult("scale-idle-cpu", agentsCost * 100, "% of one core", idleAlone * 100, "% of one core", "the same master with no agent",
                    Target.AtMost(5), $"what {count} connected agents (heartbeat 1 s) cost the idle master: {idleWithAgents:P1} of one core with them, " +
                    $"{idleAlone:P1} without, over {IdlePeriod.TotalSeconds:0} s each"),
                new BenchmarkResult("scale-recouple", total.TotalSeconds, "s", answering.TotalSeconds, "s", "the master's start until it answers",
                    Target.AtMost(10), $"kill -9 of the master with {count} agents, started again at once on its port and data: all Connected after {total.TotalSeconds:0.0} s"),
            ];
        }
        finally
        {
            SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Fatal);
            await Task.WhenAll(agents.Select(a => a.System.Terminate()));
            await master.DisposeAsync();
            TempFolder.TryDelete(root);
        }
    }

    private static async Task<NodeProcess> StartMasterAsync(string root, int port) =>
        (await NodeProcess.StartAsync("master", MasterStarted(), "master", "--port", port.ToString(), "--data", Path.Combine(root, "master"))).Node;

    /// <summary>Asks until the master shows at least <paramref name="count"/> agents Connected; answers how long that took.</summary>
    private static async Task<TimeSpan> WaitForConnectedAsync(MasterProbe probe, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromMinutes(3);
        while (true)
        {
            try
            {
                var agents = await probe.QueryAsync<AgentsResult>(GetAgents.Instance, TimeSpan.FromSeconds(2), cancellationToken);
                if (agents.Agents.Count(a => a.State == AgentState.Connected) >= count)
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && clock.Elapsed < deadline)
            {
                // Not answering yet (restarting); asked again.
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"fewer than {count} agents Connected after {deadline.TotalMinutes:0} min");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
