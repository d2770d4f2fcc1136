namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// The command line after the benchmark's name. <paramref name="Events"/> is the workload size (each
/// benchmark has its default); <paramref name="Rounds"/> how often a benchmark that takes a median repeats its
/// measurement; <paramref name="Hocon"/> is extra configuration for the nodes a benchmark starts, for
/// experiments: a run with it is printed but not recorded.
/// </summary>
public sealed record BenchmarkOptions(int? Events, string? Hocon, int? Rounds = null)
{
    public static BenchmarkOptions Default { get; } = new(null, null);

    /// <summary>Parses <c>[--events N] [--rounds N] [--hocon TEXT]</c>; throws <see cref="UsageException"/>.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new UsageException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--events" => options with { Events = PositiveNumber("--events", value) },
                "--rounds" => options with { Rounds = PositiveNumber("--rounds", value) },
                "--hocon" => options with { Hocon = value },
                _ => throw new UsageException($"unknown option '{args[i]}'"),
            };
            i++;
        }

        return options;
    }

    private static int PositiveNumber(string option, string value) =>
        int.TryParse(value, out var n) && n > 0 ? n : throw new UsageException($"{option} must be a positive whole number, not '{value}'");
}

/// <summary>A command line that cannot be run (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
