namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// The command line after the benchmark's name. <paramref name="Events"/> is the workload size (each
/// benchmark has its default); <paramref name="Hocon"/> is extra configuration for the nodes a benchmark
/// starts, for experiments: a run with it is printed but not recorded.
/// </summary>
public sealed record BenchmarkOptions(int? Events, string? Hocon)
{
    public static BenchmarkOptions Default { get; } = new(null, null);

    /// <summary>Parses <c>[--events N] [--hocon TEXT]</c>; throws <see cref="UsageException"/>.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new UsageException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--events" when int.TryParse(value, out var n) && n > 0 => options with { Events = n },
                "--events" => throw new UsageException($"--events must be a positive whole number, not '{value}'"),
                "--hocon" => options with { Hocon = value },
                _ => throw new UsageException($"unknown option '{args[i]}'"),
            };
            i++;
        }

        return options;
    }
}

/// <summary>A command line that cannot be run (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
