using System.Diagnostics;
using System.Text.RegularExpressions;
using Scheduler.Cli.Tests.Support;

namespace Scheduler.Cli.Tests;

/// <summary>
/// samples/Scheduler.Samples.Integrator, the integrators' example, run as a real process against a real master and
/// agent: it submits tasks, follows them on the event feed until each has ended and prints their results; run again
/// with its offset file, it resumes after the events it processed before.
/// </summary>
public sealed class IntegratorSampleSpecs : IAsyncLifetime
{
    /// <summary>
    /// The sample as its own build left it (bin/CONFIGURATION/TFM of its project), not the copy in this project's output:
    /// this test project runs on the ASP.NET Core shared framework (the dashboard), so packages that framework carries
    /// (Microsoft.Extensions.ObjectPool, which Akka needs) are not copied here, and the sample, a plain console app, could
    /// not load them.
    /// </summary>
    private static readonly string SampleDll = SampleOutput();

    private static string SampleOutput()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!.FullName; // bin, Scheduler.Cli.Tests, tests, the repository
        return Path.Combine(root, "samples", "Scheduler.Samples.Integrator", "bin", configuration.Name, tfm.Name, "scheduler-integrator-sample.dll");
    }
    private readonly MasterAndAgent _nodes = new("worker");

    public Task InitializeAsync() => _nodes.StartAsync("");

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task The_sample_should_follow_its_tasks_to_their_ends_and_resume_after_its_stored_offset()
    {
        var offsetFile = Path.Combine(_nodes.Root, "feed-offset");
        var first = await RunSampleAsync("--master", _nodes.MasterAddress, "--agent", "worker", "--count", "3", "--offset-file", offsetFile);
        Assert.True(first.ExitCode == 0, first.Error);
        var ended = Regex.Matches(first.Out, @"^(t-\w+) ended (\w+): task (\d) of 3$", RegexOptions.Multiline);
        Assert.Equal(["Succeeded", "Succeeded", "Failed"], ended.Select(m => m.Groups[2].Value));
        Assert.Matches(@"t-\w+ Failed \(exit code 3\)", first.Out);
        var stored = await File.ReadAllTextAsync(offsetFile);
        Assert.Matches(@"^\d+:\d+$", stored);

        var second = await RunSampleAsync("--master", _nodes.MasterAddress, "--agent", "worker", "--count", "1", "--offset-file", offsetFile);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains($"following the feed after {stored}", second.Out);
        Assert.DoesNotContain(ended[0].Groups[1].Value, second.Out);
        Assert.Matches(@"t-\w+ ended Failed: task 1 of 1", second.Out);
    }

    [Fact]
    public async Task The_sample_should_refuse_an_unknown_option_with_its_usage()
    {
        var run = await RunSampleAsync("--count", "zero");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: '--count' is not an option of this sample, or its value is missing or invalid\nusage:", run.Error);
    }

    private static async Task<(int ExitCode, string Out, string Error)> RunSampleAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SampleDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
