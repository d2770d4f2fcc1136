using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tasks;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;

namespace Scheduler.Benchmarks.Journal;

/// <summary>
/// The agent journal's rate through the agent's own actors: N tasks, each a real <see cref="TaskSupervisorActor"/>
/// (made as the agent makes one for a new task id) that journals its life — accepted, then failed to start, because
/// its executable does not exist, so no OS process is started and only journaling is measured (one recovery read and
/// two events per task). <see cref="Window"/> supervisors at a time. Baseline: the same rows, read back and written
/// raw to a fresh SQLite file in batched transactions, in the same run.
/// </summary>
public sealed class AgentJournalBenchmark : IBenchmark
{
    private const int DefaultTasks = 5_000;
    private const int Window = 64;
    private const int EventsPerTask = 2;
    private const int RawBatch = 100;

    public string Name => "agent-journal";

    public string Description => $"task lifecycle events/s through TaskSupervisorActors (default {DefaultTasks:N0} tasks) vs raw batched SQLite inserts";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = options.Events ?? DefaultTasks;
        var root = TempFolder.For(Name);
        try
        {
            var journalPath = Path.Combine(root, "agent", "journal.db");
            var elapsed = await JournalTasksAsync(root, journalPath, tasks, options, cancellationToken);
            var events = tasks * EventsPerTask;
            var rate = events / elapsed.TotalSeconds;
            var (rows, rawElapsed) = RawCopyBaseline.Run(journalPath, Path.Combine(root, "copy.db"), RawBatch);
            var baseline = rows / rawElapsed.TotalSeconds;
            return [new BenchmarkResult(Name, rate, "events/s", baseline, "rows/s", $"raw read + insert, {RawBatch} rows per transaction",
                // Ours: the journal must keep up with three events per task at several times the raw spawn rate (~250/s).
                Target.AtLeast(1_000),
                $"{tasks:N0} tasks ({events:N0} events), {Window} supervisors at a time, in {elapsed.TotalSeconds:0.00} s = "
                + $"{rate.ToString("N0", CultureInfo.InvariantCulture)} events/s; raw: {rows:N0} rows in {rawElapsed.TotalSeconds:0.00} s")];
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
    }

    private static async Task<TimeSpan> JournalTasksAsync(string root, string journalPath, int tasks, BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var dataDir = Path.GetDirectoryName(journalPath)!;
        using var folderLock = DataFolderLock.Acquire(dataDir, "benchmark agent");
        var system = AgentJournalFiller.StartJournalSystem(journalPath, ConfigurationFactory.Empty.With(options.Hocon));
        try
        {
            var settings = AgentSettings.Create(ConfigurationFactory.ParseString($"scheduler.agent {{ name = bench-agent, data-dir = \"{dataDir}\" }}"));
            var processes = new ProcessTable();
            var missing = Path.Combine(root, "no-such-program");
            // Not measured: the journal's tables, linq2db's first queries and the JIT.
            await RunAsync(system, settings, processes, "warmup", Math.Max(50, tasks / 20), missing, cancellationToken);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await RunAsync(system, settings, processes, "bench", tasks, missing, cancellationToken);
            return clock.Elapsed;
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task RunAsync(ActorSystem system, AgentSettings settings, ProcessTable processes, string prefix, int tasks, string missing, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Window);
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var taskId = $"{prefix}-{i:D7}";
                var supervisor = system.ActorOf(
                    TaskSupervisorActor.Props(taskId, settings.Name, settings, processes, TimeProvider.System, unjournaled: true),
                    TaskSupervisorActor.ActorNameOf(taskId));
                supervisor.Tell(new StartTask(1, new TaskSpec(taskId, [missing], null, new Dictionary<string, string>(), null)));
                // Answered once the task is final: commands wait while the supervisor persists.
                await supervisor.Ask<TaskSettled>(new KillForShutdown("benchmark"), TimeSpan.FromMinutes(1), cancellationToken);
                system.Stop(supervisor);
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}
