using System.CommandLine;
using System.Runtime.InteropServices;
using Scheduler.Client;

namespace Scheduler.Cli;

/// <summary>
/// <c>--watch</c> and <c>--interval</c> of the list commands (<c>agents</c>, <c>tasks</c>): the answer again every interval
/// until Ctrl+C (exit 0). On a terminal the table is redrawn in place (ANSI: cursor home, clear); otherwise — a pipe, a
/// file, <c>TERM=dumb</c> — each refresh prints a fresh table under a time line, and with <c>--json</c> one JSON document.
/// A failed request shows its error in place of the table and the watch goes on (a master away during a fail-over).
/// </summary>
public sealed class LiveView
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private const string ClearScreen = "\u001b[H\u001b[2J";

    private readonly CliConsole _console;
    private readonly string _what;

    public LiveView(CliConsole console, string what)
    {
        _console = console;
        _what = what;
        Watch = new Option<bool>("--watch") { Description = $"Show the {what} again every --interval, in place on a terminal, until Ctrl+C" };
        Interval = new Option<string>("--interval")
        {
            Description = $"How often --watch asks the Master (default {Durations.Format(DefaultInterval)})",
            HelpName = "DURATION",
        };
        Interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && Durations.TryParse(text, out var problem) is null)
            {
                result.AddError($"--interval: {problem}");
            }
        });
    }

    public Option<bool> Watch { get; }

    public Option<string> Interval { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Watch);
        command.Options.Add(Interval);
    }

    /// <summary>Prints once with <paramref name="output"/>, or with <c>--watch</c> again and again until Ctrl+C or SIGTERM.</summary>
    public async Task<int> RunAsync(ParseResult parse, Output output, Func<Output, CancellationToken, Task> print, CancellationToken cancellationToken)
    {
        if (!parse.GetValue(Watch))
        {
            await print(output, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var interval = parse.GetValue(Interval) is { } text ? Durations.TryParse(text, out _)!.Value : DefaultInterval;
        var inPlace = _console.OutputIsTerminal && !output.Json;
        using var stop = UntilInterrupted(cancellationToken);
        while (!stop.IsCancellationRequested)
        {
            var frame = new StringWriter();
            try
            {
                await print(new Output(frame, output.Json, frame), stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (SchedulerException e)
            {
                frame.WriteLine($"error: {SchedulerCli.OneLine(e.Message)}");
            }

            var header = $"{_what} at {DateTimeOffset.Now:HH:mm:ss}, every {Durations.Format(interval)}; Ctrl+C to stop";
            _console.Out.Write(inPlace ? $"{ClearScreen}{header}\n\n{frame}"
                : output.Json ? frame.ToString()
                : $"{header}\n{frame}\n");
            _console.Out.Flush();
            try
            {
                await Task.Delay(interval, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Cancelled by <paramref name="cancellationToken"/>, SIGINT (Ctrl+C) or SIGTERM: live views end on them with exit code
    /// 0 (the process would otherwise die with 130 / 143, possibly in the middle of a line).
    /// </summary>
    public static Interruption UntilInterrupted(CancellationToken cancellationToken) => new(cancellationToken);

    public sealed class Interruption : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly List<PosixSignalRegistration> _signals;

        internal Interruption(CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _signals = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _stop.Cancel();
            }))];
        }

        public CancellationToken Token => _stop.Token;

        public bool IsCancellationRequested => _stop.IsCancellationRequested;

        public void Dispose()
        {
            _signals.ForEach(s => s.Dispose());
            _stop.Dispose();
        }
    }
}
