namespace Scheduler.Benchmarks.Harness;

/// <summary>One named benchmark: measures its figure and, in the same run, a baseline to compare it with.</summary>
public interface IBenchmark
{
    string Name { get; }

    /// <summary>One line for <c>list</c>.</summary>
    string Description { get; }

    /// <summary>One figure per target: most benchmarks measure one, some several in the same run (each its own row).</summary>
    Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken);
}
