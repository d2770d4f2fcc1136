namespace Scheduler.Benchmarks.Harness;

/// <summary>
/// <c>NAME [--events N] [--rounds N] [--hocon TEXT]</c> runs one benchmark, prints its line(s) and records them in docs/;
/// <c>list</c> prints the names. Exit codes: 0 ran (target met or not; see docs/benchmarks.json),
/// 1 the benchmark failed, 2 usage.
/// </summary>
public static class BenchmarkRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyList<IBenchmark> benchmarks)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help")
        {
            return Usage(benchmarks, args.Count == 0 ? 2 : 0);
        }

        if (args[0] == "list")
        {
            foreach (var b in benchmarks)
            {
                Console.WriteLine($"{b.Name,-12} {b.Description}");
            }

            return 0;
        }

        var benchmark = benchmarks.FirstOrDefault(b => b.Name == args[0]);
        if (benchmark is null)
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}' (known: {string.Join(", ", benchmarks.Select(b => b.Name))})");
            return 2;
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args.Skip(1).ToList());
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        IReadOnlyList<BenchmarkResult> results;
        try
        {
            results = await benchmark.RunAsync(options, cancel.Token);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{benchmark.Name} failed: {e}");
            return 1;
        }

        foreach (var result in results)
        {
            Console.WriteLine(result.Summary);
        }

        if (options.Hocon is not null)
        {
            Console.WriteLine("(not recorded: --hocon changes the configuration under test)");
            return 0;
        }

        var files = new ResultFiles(Machine.RepositoryRoot());
        foreach (var result in results)
        {
            files.Record(result, Machine.Describe(), DateOnly.FromDateTime(DateTime.Now));
        }

        Console.WriteLine($"recorded in {files.MarkdownPath} and {files.JsonPath}");
        return 0;
    }

    private static int Usage(IReadOnlyList<IBenchmark> benchmarks, int exitCode)
    {
        var writer = exitCode == 0 ? Console.Out : Console.Error;
        writer.WriteLine("usage: dotnet run -c Release --project tests/Scheduler.Benchmarks -- NAME [--events N] [--rounds N] [--hocon TEXT]");
        writer.WriteLine("       ... -- list");
        writer.WriteLine($"benchmarks: {string.Join(", ", benchmarks.Select(b => b.Name))}");
        return exitCode;
    }
}
