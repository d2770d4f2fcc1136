using System.Diagnostics;
using System.Globalization;
using Scheduler.Benchmarks.Harness;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Scheduler.TestKit;

namespace Scheduler.Benchmarks.Fence;

/// <summary>
/// Fence precision: N partitions (default 20) of a master and an agent running a task, each longer than the agent's
/// reconnect window (3 s here; 5 min by default in production, too long to repeat). Per round: the kill's lateness —
/// the time the agent journaled the task <c>Killed</c> (after the process died) minus the last contact plus the
/// window — and the Master's unreachable-detection latency (its <c>AgentUnreachable</c> entry minus the cut). The last
/// contact is the last heartbeat the Master received (its <c>LastSeen</c> of the agent): the agent's window runs from
/// its last round trip, which is that heartbeat or, when the cut swallowed its answer, the one before (a heartbeat,
/// 200 ms here, earlier) — so a kill can show up to that much "early", never late by mistake. Baseline: how late a
/// plain .NET timer of the window's length fires, started at each cut.
/// </summary>
public sealed class FenceBenchmark : IBenchmark
{
    private const int DefaultRounds = 20;
    private const string AgentName = "fence";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    public string Name => "fence";

    public string Description => $"N partitions (default {DefaultRounds}) longer than an agent's reconnect window: kill time after the window, unreachable detection";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rounds = options.Rounds ?? DefaultRounds;
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Agents = [AgentName],
            // The Master must not give the agent up (and the agent not replace itself) within a round.
            MasterHocon = "scheduler.master.lost-after = 60s\n" + options.Hocon,
            AgentHocon = $"scheduler.agent.reconnect-window = {Window.TotalSeconds}s\n" + options.Hocon,
        });
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);

        var lateness = new List<double>();
        var detection = new List<double>();
        var timer = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (late, detected, timerLate) = await RoundAsync(cluster);
            lateness.Add(late);
            detection.Add(detected);
            timer.Add(timerLate);
            Console.WriteLine($"round {round}: killed {late * 1000:0} ms after the window, unreachable after {detected:0.00} s; timer late {timerLate * 1000:0} ms");
        }

        var killP50 = Statistics.Percentile(lateness, 0.5);
        var timerP50 = Statistics.Percentile(timer, 0.5);
        return [new BenchmarkResult("fence", lateness.Max(), "s (max)", timer.Max(), "s (max)", "a .NET timer of the window's length, late by",
            Target.AtMost(1.0),
            $"{rounds} partitions longer than a {Window.TotalSeconds:0} s window: kill after the window (from the last heartbeat the Master got) p50 {Ms(killP50)} max {Ms(lateness.Max())}; "
            + $"timer late p50 {Ms(timerP50)}; the Master saw the agent unreachable after p50 {Statistics.Percentile(detection, 0.5):0.00} s max {detection.Max():0.00} s "
            + "(unreachable-after 1.5 s, heartbeat 200 ms)")];
    }

    private static async Task<(double Lateness, double Detection, double TimerLateness)> RoundAsync(TestCluster cluster)
    {
        var task = await cluster.SubmitAsync(AgentName, "sleep", "300");
        await cluster.WaitForTaskAsync(task.TaskId, TaskState.Running);
        var seenBefore = (await cluster.EventsAsync(AgentName)).Select(e => e.Sequence).DefaultIfEmpty(0).Max();

        var cut = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var timer = Task.Delay(Window).ContinueWith(_ => clock.Elapsed - Window);
        await cluster.PartitionAsync(AgentName);
        await cluster.WaitForAgentJournalAsync(AgentName, e => e is TaskKilled { ByReconnectWindow: true } k && k.TaskId == task.TaskId, "the kill by the window");
        var killed = (await cluster.AgentJournalAsync(AgentName)).OfType<TaskKilled>().Single(k => k.TaskId == task.TaskId);
        var unreachable = (await cluster.EventsAsync(AgentName))
            .First(e => e.Sequence > seenBefore && e.Kind == SchedulerEventKind.AgentUnreachable);
        var lastContact = (await cluster.WaitForAgentAsync(AgentName, AgentState.Unreachable)).LastSeen!.Value;

        await cluster.HealAsync(AgentName);
        await cluster.WaitForTaskAsync(task.TaskId, TaskState.Killed);
        await cluster.WaitForAgentAsync(AgentName, AgentState.Connected);
        return ((killed.At - lastContact - Window).TotalSeconds, (unreachable.At - cut).TotalSeconds, (await timer).TotalSeconds);
    }


    private static string Ms(double seconds) => (seconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms";
}
