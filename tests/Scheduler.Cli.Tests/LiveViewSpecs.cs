using System.CommandLine;
using Scheduler.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Scheduler.Cli.Tests;

/// <summary>
/// <c>logs --follow</c>, <c>tasks --watch</c> and <c>agents --watch</c> as real <c>scheduler</c> processes against a real
/// master and agent process; stdout is a pipe here, so the watch prints a fresh table each interval.
/// </summary>
public sealed class LiveViewSpecs(LiveViewSpecs.Nodes nodes, ITestOutputHelper output) : IClassFixture<LiveViewSpecs.Nodes>
{
    public sealed class Nodes : IAsyncLifetime
    {
        public MasterAndAgent Pair { get; } = new("live");

        public Task InitializeAsync() =>
            Pair.StartAsync("scheduler.agent.kill-grace = 1s\nscheduler.master.log-copy-interval = 200ms\nscheduler.master.dashboard.url = off\n");

        public async Task DisposeAsync() => await Pair.DisposeAsync();
    }

    private MasterAndAgent Pair => nodes.Pair;

    [Fact]
    public async Task Logs_follow_should_print_output_as_it_comes_and_end_when_the_task_is_final()
    {
        var marker = Path.Combine(Pair.Root, "go-follow");
        await Pair.CliAsync("submit", "--agent", "live", "--id", "follow-1", "--", "sh", "-c", $"echo first; while [ ! -e {marker} ]; do sleep 0.1; done; echo second");
        await using var follow = LiveCommand.Start(Pair.MasterAddress, "logs", "follow-1", "--follow");

        await follow.WaitForOutputAsync(o => o == "first\n", "the first line while the task runs");
        Assert.False(follow.HasExited);

        await File.WriteAllTextAsync(marker, "");
        var (exitCode, printed, error) = await follow.WaitForExitAsync();
        Assert.True(exitCode == 0, error);
        Assert.Equal("first\nsecond\n", printed);
    }

    [Fact]
    public async Task Tasks_watch_should_print_a_fresh_table_each_interval_and_stop_on_ctrl_c_with_exit_code_0()
    {
        var marker = Path.Combine(Pair.Root, "go-watch");
        await Pair.CliAsync("submit", "--agent", "live", "--id", "watch-1", "--", "sh", "-c", $"while [ ! -e {marker} ]; do sleep 0.1; done");
        await Pair.WaitForTaskAsync("watch-1", s => s is "Running");
        await using var watch = LiveCommand.Start(Pair.MasterAddress, "tasks", "--watch", "--interval", "300ms");

        await watch.WaitForOutputAsync(o => Frames(o).Count(f => f.Contains("watch-1", StringComparison.Ordinal) && f.Contains("Running", StringComparison.Ordinal)) >= 2,
            "two tables with the running task");
        await File.WriteAllTextAsync(marker, "");
        await watch.WaitForOutputAsync(o => Frames(o) is [.., var last] && last.Contains("TASK", StringComparison.Ordinal) && !last.Contains("watch-1", StringComparison.Ordinal),
            "a table without the finished task");

        watch.Interrupt();
        var (exitCode, printed, error) = await watch.WaitForExitAsync();
        output.WriteLine(printed);
        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("\u001b[", printed);
    }

    [Fact]
    public async Task Agents_watch_should_show_the_agent_connected_with_its_journal_adopted()
    {
        await using var watch = LiveCommand.Start(Pair.MasterAddress, "agents", "--watch", "--interval", "300ms");

        var printed = await watch.WaitForOutputAsync(o => Frames(o).Count(f => f.Contains("Connected", StringComparison.Ordinal)) >= 2, "two tables");
        watch.Interrupt();
        Assert.Equal(0, (await watch.WaitForExitAsync()).ExitCode);
        Assert.Matches(@"(?m)^live\s+Connected\s+.*\s\d+/\d+\s+-", Frames(printed)[0]);
    }

    /// <summary>Each refresh: a time line "tasks at 10:00:00, every 300ms; …" and the table under it.</summary>
    private static List<string> Frames(string printed) =>
        printed.Split(["tasks at ", "agents at "], StringSplitOptions.RemoveEmptyEntries).Where(f => f.Contains("Ctrl+C", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Watch_on_a_terminal_should_redraw_in_place()
    {
        var writer = new StringWriter();
        var console = new CliConsole(writer, new StringWriter(), _ => null, OutputIsTerminal: true);
        var live = new LiveView(console, "agents");
        var command = new Command("agents");
        live.AddTo(command);
        using var stop = new CancellationTokenSource();
        var frames = 0;

        var exitCode = await live.RunAsync(command.Parse(["--watch", "--interval", "10ms"]), new Output(writer, json: false), (frame, _) =>
        {
            frame.Lines([$"frame {++frames}"]);
            if (frames == 3)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);

        Assert.Equal(0, exitCode);
        var screens = writer.ToString().Split("\u001b[H\u001b[2J", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, screens.Length);
        Assert.EndsWith("\n\nframe 3\n", screens[2]);
    }
}
