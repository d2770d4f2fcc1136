using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Scheduler.Cli.Tests.Support;

/// <summary>
/// A <c>scheduler master</c> or <c>scheduler agent</c> process. Its stderr (the start line and the Serilog lines) is
/// read all the time, so the node never blocks on a full pipe, and kept for <see cref="Log"/>.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;
    private bool _disposed;

    private NodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _ = process.StandardOutput.ReadToEndAsync();
        _reading = ReadErrorAsync();
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the node printed on stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Starts <c>scheduler ARGS</c> and waits for the stderr line that says it runs; returns the node and that line.</summary>
    public static async Task<(NodeProcess Node, string Line)> StartAsync(string name, Regex started, params string[] args)
    {
        var node = new NodeProcess(name, Process.Start(SchedulerCommand.StartInfo(args)) ?? throw new InvalidOperationException("dotnet did not start"));
        try
        {
            return (node, await node.WaitForLineAsync(started));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for a stderr line matching <paramref name="pattern"/> (printed before or after this call).</summary>
    public async Task<string> WaitForLineAsync(Regex pattern)
    {
        var (line, exited) = await Eventually.ValueAsync(
            () => Task.FromResult((Line: FirstLine(pattern), Exited: _process.HasExited && _reading.IsCompleted)),
            seen => seen.Line is not null || seen.Exited,
            $"{Name}: a line /{pattern}/");
        return line ?? throw new InvalidOperationException($"{Name} exited (code {_process.ExitCode}) before printing /{pattern}/:\n{Log}");
    }

    /// <summary>Stops the node with SIGSTOP once it shows stopped; disposing the answer continues it.</summary>
    public async Task<Freeze> FreezeAsync()
    {
        ProcFs.Stop(Id);
        var freeze = new Freeze(Id);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(ProcFs.State(Id) == 'T'), $"{Name} (pid {Id}) stopped", TimeSpan.FromSeconds(5));
            return freeze;
        }
        catch
        {
            freeze.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM, then waits for the process to exit; answers its exit code.</summary>
    public async Task<int> StopGracefullyAsync(TimeSpan patience)
    {
        ProcFs.Terminate(Id);
        using var timeout = new CancellationTokenSource(patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Stops <paramref name="nodes"/> (nulls skipped), writing each one's stderr to <paramref name="log"/> first.</summary>
    public static async Task StopAllAsync(IEnumerable<NodeProcess?> nodes, Action<string> log)
    {
        foreach (var node in nodes.OfType<NodeProcess>())
        {
            log($"--- {node.Name} ---\n{node.Log}");
            await node.DisposeAsync();
        }
    }

    /// <summary>Deletes a test's folder; a file still held for a moment leaves it to the OS.</summary>
    public static void DeleteFolder(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS to clean
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            ProcFs.Continue(Id);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await _reading;
        _process.Dispose();
    }

    private string? FirstLine(Regex pattern)
    {
        lock (_lines)
        {
            return _lines.FirstOrDefault(pattern.IsMatch);
        }
    }

    private async Task ReadErrorAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
