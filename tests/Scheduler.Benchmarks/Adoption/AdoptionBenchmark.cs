using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Scheduler.Agent;
using Scheduler.Benchmarks.Harness;
using Scheduler.Contracts.Agents;
using Scheduler.Contracts.Client;
using Scheduler.Contracts.Tasks;
using Scheduler.Hosting;
using Scheduler.Master.History;

namespace Scheduler.Benchmarks.Adoption;

/// <summary>
/// The Master adopting an agent's journal after a partition: the agent's journal holds N task events
/// journaled while it was cut off; measured is the time from the agent's registration until the Master shows it
/// Connected, which it does only once it has adopted every event (replay first, then schedule). The agent is a new
/// process here (its journal was filled before it starts); its start-up before the registration, which a reconnect
/// does not repeat, is printed and left out of the figure.
/// The Master has been at work before, as one is when a partition heals: it has adopted a first agent's journal of a
/// tenth as many events in batches of 10 (as a running Master adopts events as they happen) and been left to settle
/// before the measured agent starts (both agents in this process, like the Master). Measured in a Master process that
/// had just started, the figure was mostly the JIT's first compilations (docs/decisions.md).
/// </summary>
public sealed class AdoptionBenchmark : IBenchmark
{
    private const int DefaultEvents = 100_000;
    private const string AgentName = "bench-agent";
    private const string WarmupAgentName = "warmup-agent";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(30);

    public string Name => "adoption";

    public string Description => $"Master adopts an agent journal of N task events (default {DefaultEvents:N0}) after a partition; events/s";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tasks = (options.Events ?? DefaultEvents) / 3;
        if (tasks == 0)
        {
            throw new UsageException("--events must be at least 3 (each task journals 3 events)");
        }

        var events = tasks * 3;
        var root = TempFolder.For(Name);
        SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Warning);
        try
        {
            var agentDir = Path.Combine(root, "agent");
            // The agent's own settings name its journal file and replay batch size (the master address comes later).
            var agentSettings = AgentSettings.Create(AdoptionHocon.Agent(AgentName, agentDir, "127.0.0.1:1").With(options.Hocon), "benchmark");

            var clock = Stopwatch.StartNew();
            var overrides = ConfigurationFactory.Empty.With(options.Hocon);
            await AgentJournalFiller.FillAsync(agentDir, agentSettings.JournalPath, tasks, "bench", overrides, cancellationToken);
            Console.WriteLine($"setup: {events:N0} events of {tasks:N0} tasks journaled by the agent's persistence in {Seconds(clock.Elapsed)}");
            var warmup = new Warmup(Path.Combine(root, WarmupAgentName), Math.Max(1, tasks / 10));
            var warmupSettings = AgentSettings.Create(AdoptionHocon.Agent(WarmupAgentName, warmup.Dir, "127.0.0.1:1").With(options.Hocon), "benchmark");
            await AgentJournalFiller.FillAsync(warmup.Dir, warmupSettings.JournalPath, warmup.Tasks, "warmup", overrides, cancellationToken);

            // The copy takes about a second, so one stall of a shared machine moves it a lot: the best of three counts.
            var copies = Enumerable.Range(1, 3)
                .Select(i => RawCopyBaseline.Run(agentSettings.JournalPath, Path.Combine(root, $"copy-{i}", "journal.db"), agentSettings.ReplayBatchEvents))
                .ToList();
            var (rows, baselineTime) = copies.MinBy(c => c.Elapsed);
            var baseline = rows / baselineTime.TotalSeconds;
            Console.WriteLine($"baseline: {rows:N0} rows read and written in batches of {agentSettings.ReplayBatchEvents}, best of 3 in {Seconds(baselineTime)} " +
                $"= {baseline:N0} rows/s (all: {string.Join(", ", copies.Select(c => Seconds(c.Elapsed)))})");

            var (registered, connected) = await MeasureAsync(root, agentDir, tasks, warmup, options.Hocon, cancellationToken);
            var replay = connected - registered;
            var rate = events / replay.TotalSeconds;
            return [new BenchmarkResult(Name, rate, "events/s", baseline, "rows/s", "raw read+batched write", Target.AtLeast(50_000),
                $"{events} events adopted in {Seconds(replay)} from the agent's registration = {Rate(rate)} events/s, by a Master that " +
                $"adopted {warmup.Tasks * 3} events before; the agent's process start-up before it ({Seconds(registered)}; a reconnect " +
                $"does not repeat it) included: {Rate(events / connected.TotalSeconds)} events/s")];
        }
        finally
        {
            TempFolder.TryDelete(root);
        }
    }

    /// <summary>
    /// Master up; a first agent adopted and the Master left to settle; then the measured agent starts and the clock
    /// runs until the Master shows it Connected.
    /// </summary>
    private static async Task<(TimeSpan Registered, TimeSpan Connected)> MeasureAsync(string root, string agentDir, int tasks, Warmup warmup, string? hocon,
        CancellationToken cancellationToken)
    {
        // The check at the end asks for the whole history in one answer: about 250 bytes a task.
        var master = SchedulerNodes.StartMasterSystem(
            AdoptionHocon.Master(Path.Combine(root, "master")).With(hocon), "benchmark", "127.0.0.1", 0);
        var agents = new List<ActorSystem>();
        var probe = new MasterProbe(SchedulerNodes.Address(master));
        try
        {
            await probe.QueryAsync<AgentsResult>(GetAgents.Instance, TimeSpan.FromSeconds(2), cancellationToken);

            agents.Add(StartAgent(WarmupAgentName, warmup.Dir, master, "scheduler.agent.replay-batch-events = 10\n" + hocon));
            var (warmupRegistered, warmupConnected) = await WaitConnectedAsync(probe, WarmupAgentName, cancellationToken);
            await CheckHistoryAsync(probe, WarmupAgentName, warmup.Tasks, cancellationToken);
            Console.WriteLine($"warm-up: {warmup.Tasks * 3:N0} events of agent {WarmupAgentName} adopted in {Seconds(warmupConnected - warmupRegistered)}; " +
                $"the Master settles for {Seconds(Settle)}");
            await Task.Delay(Settle, cancellationToken); // most of its log copies and moves to the history table are done by then

            agents.Add(StartAgent(AgentName, agentDir, master, hocon));
            var (registered, connected) = await WaitConnectedAsync(probe, AgentName, cancellationToken);
            Console.WriteLine($"agent registered {Seconds(registered)} after its start (start-up reads its journal for open tasks), " +
                $"Connected after {Seconds(connected)} (replay {Seconds(connected - registered)})");
            await CheckHistoryAsync(probe, AgentName, tasks, cancellationToken);
            return (registered, connected);
        }
        finally
        {
            // The nodes losing each other on the way down is expected; it is not a result.
            SchedulerLogging.Configure(Serilog.Events.LogEventLevel.Fatal);
            await probe.DisposeAsync();
            await Task.WhenAll(agents.Select(a => a.Terminate()));
            await master.Terminate();
        }
    }

    private static ActorSystem StartAgent(string name, string dataDir, ActorSystem master, string? hocon) =>
        SchedulerNodes.StartAgentSystem(AdoptionHocon.Agent(name, dataDir, SchedulerNodes.Address(master)).With(hocon),
            "benchmark", "127.0.0.1", 0, TimeProvider.System, new AgentRuntime());

    /// <summary>
    /// From now (the agent's start): asks the Master for its agents until it shows this one (registered: dated by the
    /// last answer that did not show it, so the replay is not made shorter by the polling), then reads its event log
    /// until the coupling is logged (Connected), dated by the Master's own clock. Not the agents query all the
    /// way: each of those counts every task held, and during an adoption the task map changes with every batch, so
    /// polling it 20 times a second took ~4 % of the CPU measured.
    /// </summary>
    private static async Task<(TimeSpan Registered, TimeSpan Connected)> WaitConnectedAsync(MasterProbe probe, string agentName,
        CancellationToken cancellationToken)
    {
        var answer = TimeSpan.FromSeconds(2);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        TimeSpan? registered = null;
        var notYet = TimeSpan.Zero;
        var nextProgress = TimeSpan.FromSeconds(30);
        while (true)
        {
            if (registered is null)
            {
                var agents = await probe.QueryAsync<AgentsResult>(GetAgents.Instance, answer, cancellationToken);
                if (agents.Agents.Any(a => a.Name == agentName))
                {
                    registered = notYet;
                }
                else
                {
                    notYet = clock.Elapsed;
                }
            }
            else
            {
                var events = await probe.QueryAsync<EventsResult>(new GetEvents(agentName, 10), answer, cancellationToken);
                if (events.Events.LastOrDefault(e => e.Kind is SchedulerEventKind.AgentRegistered or SchedulerEventKind.AgentReconnected) is { } coupled
                    && coupled.At >= startedAt)
                {
                    return (registered.Value, coupled.At - startedAt);
                }
            }

            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"agent {agentName} not Connected after {Seconds(clock.Elapsed)}");
            }

            if (clock.Elapsed > nextProgress)
            {
                Console.Error.WriteLine($"... {Seconds(clock.Elapsed)}: agent {agentName} {(registered is null ? "not yet registered" : $"registered at {Seconds(registered.Value)}, replaying")}");
                nextProgress += TimeSpan.FromSeconds(30);
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// The newest tasks of the agent's journal are in the Master's history (a query reads at most
    /// <see cref="TaskHistoryStore.MaxRows"/>) and none is left unfinished. An answer holds at most about 110 KB of
    /// tasks, the rest is counted as omitted; those returned must all be Succeeded.
    /// </summary>
    private static async Task CheckHistoryAsync(MasterProbe probe, string agentName, int tasks, CancellationToken cancellationToken)
    {
        var answer = TimeSpan.FromSeconds(30);
        var expected = Math.Min(tasks, TaskHistoryStore.MaxRows);
        var history = await probe.QueryAsync<TasksResult>(new GetHistory(agentName, null, expected + 1), answer, cancellationToken);
        var total = history.Tasks.Count + history.Omitted;
        var succeeded = history.Tasks.Count(t => t.State == TaskState.Succeeded);
        var unfinished = (await probe.QueryAsync<TasksResult>(new GetTasks(agentName), answer, cancellationToken)).Tasks.Count;
        if (total != expected || succeeded != history.Tasks.Count || unfinished != 0)
        {
            throw new InvalidOperationException(
                $"the Master's history answered {total} task(s), {history.Tasks.Count - succeeded} of those returned not Succeeded, {unfinished} unfinished; "
                + $"expected {expected} Succeeded");
        }

        Console.WriteLine($"check: the newest {expected:N0} of {tasks:N0} tasks of {agentName} in the Master's history, none unfinished, the {history.Tasks.Count:N0} returned Succeeded");
    }

    /// <summary>The first agent's data folder and its journal's task count.</summary>
    private sealed record Warmup(string Dir, int Tasks);

    private static string Rate(double rate) => rate.ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
