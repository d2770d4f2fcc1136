using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Fence;
using Scheduler.Benchmarks.Handover;
using Scheduler.Benchmarks.Journal;
using Scheduler.Benchmarks.Harness;
using Scheduler.Benchmarks.History;
using Scheduler.Benchmarks.Memory;
using Scheduler.Benchmarks.Scale;
using Scheduler.Benchmarks.Throughput;

IBenchmark[] benchmarks =
[
    new AdoptionBenchmark(),
    new AgentJournalBenchmark(),
    new FenceBenchmark(),
    new HandoverBenchmark(),
    new HistoryBenchmark("sqlite"),
    new HistoryBenchmark("postgresql"),
    new MemoryBenchmark(),
    new ScaleBenchmark(),
    new MemoryBenchmark("scale-tasks", defaultTasks: 2_000, idleAgents: 0),
    new ThroughputBenchmark("sqlite"),
    new ThroughputBenchmark("postgresql"),
    new ThroughputBenchmark("sqlite", agents: 2),
];
return await BenchmarkRunner.RunAsync(args, benchmarks);
