using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Core.Scheduling;
using Scheduler.Hosting;
using Scheduler.Master.History;

namespace Scheduler.Benchmarks.History;

/// <summary>
/// History queries through a real Master (ClusterClient request → scheduler → history table → answer) with N
/// settled tasks in the table (default 1,000,000): by task id, by agent (newest 100), the newest 100 and a one-hour
/// time range. The figure is the p99 latency of all of them; the baseline is the raw primary-key SELECT of one
/// row on the same database in the same run.
/// </summary>
public sealed class HistoryBenchmark(string kind) : IBenchmark
{
    private const int DefaultEntries = 1_000_000;
    private const int Agents = 10;
    private const int Rounds = 100;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => "history-" + kind;

    public string Description => $"history queries through the Master with N settled tasks (default {DefaultEntries:N0}) on {kind}; p99 ms";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var entries = options.Events ?? DefaultEntries;
        var root = TempFolder.For(Name);
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        await using var journal = await MasterJournal.CreateAsync(kind, root);
        try
        {
            var clock = Stopwatch.StartNew();
            await FillAsync(new TaskHistoryStore(journal.Connect), entries, cancellationToken);
            Console.WriteLine($"setup: {entries:N0} settled tasks written to the history table in {clock.Elapsed.TotalSeconds:0.0} s");

            var baseline = await RawLookupsAsync(journal.Connect, entries, cancellationToken);
            var master = SchedulerNodes.StartMasterSystem(journal.Hocon.With(options.Hocon), "benchmark", "127.0.0.1", 0);
            try
            {
                await using var probe = new MasterProbe(SchedulerNodes.Address(master));
                var latencies = await MeasureAsync(probe, entries, cancellationToken);
                var all = latencies.Values.SelectMany(l => l).ToList();
                var p99 = Statistics.Percentile(all, 0.99);
                var detail = string.Join(", ", latencies.Select(l => $"{l.Key} p50 {Ms(Statistics.Percentile(l.Value, 0.5))} p99 {Ms(Statistics.Percentile(l.Value, 0.99))}"));
                Console.WriteLine($"baseline: raw SELECT by primary key p50 {Ms(Statistics.Percentile(baseline, 0.5))} p99 {Ms(Statistics.Percentile(baseline, 0.99))} ms");
                return [new BenchmarkResult(Name, p99, "ms (p99)", Statistics.Percentile(baseline, 0.99), "ms (p99)", "raw SELECT by task id", Target.AtMost(50),
                    $"{entries:N0} entries; {Rounds} queries of each kind: {detail} ms")];
            }
            finally
            {
                await master.Terminate();
            }
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
    }

    private static async Task FillAsync(TaskHistoryStore store, int entries, CancellationToken cancellationToken)
    {
        const int batch = 10_000;
        using var progress = new Progress("history rows written", entries);
        for (var from = 0; from < entries; from += batch)
        {
            var rows = Enumerable.Range(from, Math.Min(batch, entries - from)).Select(Entry).ToList();
            await store.SaveAsync(rows, cancellationToken);
            progress.Advance(rows.Count);
        }
    }

    /// <summary>Task i of agent a(i mod 10), submitted i seconds after T0 and succeeded a second later.</summary>
    private static TaskEntry Entry(int i) =>
        new(i + 1, $"a{i % Agents}", new TaskSpec(TaskId(i), ["sh", "-c", $"echo {i}"], null, new Dictionary<string, string>(), null),
            TaskState.Succeeded, 0, T0.AddSeconds(i), T0.AddSeconds(i), T0.AddSeconds(i + 1), null, true, null, true);

    private static string TaskId(int i) => $"t-{i:D8}";

    private static async Task<Dictionary<string, List<double>>> MeasureAsync(MasterProbe probe, int entries, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var answer = TimeSpan.FromSeconds(30);
        var kinds = new (string Name, Func<GetHistory> Query, Func<TasksResult, bool> Correct)[]
        {
            ("by-task", () => new GetHistory(null, TaskId(random.Next(entries)), 10), r => r.Tasks.Count == 1),
            ("by-agent", () => new GetHistory($"a{random.Next(Agents)}", null, 100), r => r.Tasks.Count + r.Omitted == Math.Min(100, entries / Agents)),
            ("newest", () => new GetHistory(null, null, 100), r => r.Tasks.Count + r.Omitted == Math.Min(100, entries)),
            ("time-range", () =>
            {
                var start = T0.AddSeconds(random.Next(Math.Max(1, entries - 3600)));
                return new GetHistory(null, null, 100, start, start.AddHours(1));
            }, r => r.Tasks.Count + r.Omitted == Math.Min(100, entries)),
        };
        var latencies = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        for (var round = -10; round < Rounds; round++) // 10 rounds of warm-up
        {
            foreach (var (name, query, correct) in kinds)
            {
                var clock = Stopwatch.StartNew();
                var result = await probe.QueryAsync<TasksResult>(query(), answer, cancellationToken);
                var ms = clock.Elapsed.TotalMilliseconds;
                if (!correct(result))
                {
                    throw new InvalidOperationException($"{name}: unexpected answer of {result.Tasks.Count} task(s), {result.Omitted} omitted");
                }

                if (round >= 0)
                {
                    latencies[name].Add(ms);
                }
            }
        }

        return latencies;
    }

    private static async Task<List<double>> RawLookupsAsync(Func<DbConnection> connect, int entries, CancellationToken cancellationToken)
    {
        var random = new Random(7);
        var latencies = new List<double>();
        for (var i = -10; i < Rounds * 4; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = connect();
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT entry FROM {TaskHistoryStore.Table} WHERE task_id = @id";
            var id = command.CreateParameter();
            (id.ParameterName, id.Value) = ("id", TaskId(random.Next(entries)));
            command.Parameters.Add(id);
            _ = await command.ExecuteScalarAsync(cancellationToken);
            if (i >= 0)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return latencies;
    }


    private static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
