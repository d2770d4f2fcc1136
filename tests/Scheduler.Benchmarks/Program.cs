using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Fence;
using Scheduler.Benchmarks.Handover;
using Scheduler.Benchmarks.Harness;
using Scheduler.Benchmarks.History;
using Scheduler.Benchmarks.Memory;
using Scheduler.Benchmarks.Scale;
using Scheduler.Benchmarks.Throughput;

IBenchmark[] benchmarks =
[
    new AdoptionBenchmark(),
    new FenceBenchmark(),
    new HandoverBenchmark(),
    new HistoryBenchmark("sqlite"),
    new HistoryBenchmark("postgresql"),
    new MemoryBenchmark(),
    new ScaleBenchmark(),
    new ThroughputBenchmark("sqlite"),
    new ThroughputBenchmark("postgresql"),
];
return await BenchmarkRunner.RunAsync(args, benchmarks);
