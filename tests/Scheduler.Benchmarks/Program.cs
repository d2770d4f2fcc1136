using Scheduler.Benchmarks.Adoption;
using Scheduler.Benchmarks.Harness;

IBenchmark[] benchmarks = [new AdoptionBenchmark()];
return await BenchmarkRunner.RunAsync(args, benchmarks);
