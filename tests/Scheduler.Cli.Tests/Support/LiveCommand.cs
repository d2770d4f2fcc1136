using System.Diagnostics;
using System.Text;

namespace Scheduler.Cli.Tests.Support;

/// <summary>
/// A <c>scheduler</c> command that keeps running (<c>--watch</c>, <c>--follow</c>), stdout and stderr redirected (so not a
/// terminal) and read as they come.
/// </summary>
public sealed class LiveCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly Task _reading;
    private readonly Task<string> _error;

    private LiveCommand(Process process)
    {
        _process = process;
        _reading = ReadAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    /// <summary>What it printed on stdout so far.</summary>
    public string Out
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static LiveCommand Start(string master, params string[] args) =>
        new(Process.Start(SchedulerCommand.StartInfo(args, new Dictionary<string, string>
            {
                ["SCHEDULER_MASTER"] = master, ["SCHEDULER_REQUEST_TIMEOUT"] = "20s",
            }))
            ?? throw new InvalidOperationException("dotnet did not start"));

    /// <summary>Waits until stdout satisfies <paramref name="condition"/>; fails naming <paramref name="what"/> and what was printed.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> condition, string what) =>
        Eventually.ValueAsync(() => Task.FromResult(Out), condition, $"{what}; stdout so far:\n{Out}", TimeSpan.FromSeconds(30));

    /// <summary>Ctrl+C (SIGINT).</summary>
    public void Interrupt() => ProcFs.Interrupt(_process.Id);

    /// <summary>Waits for the end (at most 30 s) and answers the exit code, stdout and stderr.</summary>
    public async Task<(int ExitCode, string Out, string Error)> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        await _reading;
        return (_process.ExitCode, Out, await _error);
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lock (_out)
            {
                _out.Append(buffer, 0, read);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
