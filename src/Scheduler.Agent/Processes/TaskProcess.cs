using System.Diagnostics;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Agent.Processes;

/// <summary>A running task process started by <see cref="TaskProcessLauncher"/>, with its output going to its log.</summary>
public sealed class TaskProcess : IDisposable
{
    /// <summary>How long output is still read after the task process exited, while a descendant keeps the pipes open.</summary>
    internal static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Longest record; a longer line is split into several records.</summary>
    private const int MaxLineBytes = 64 * 1024;

    private readonly Stream _stdout;
    private readonly Stream _stderr;
    private readonly Task<int> _processExit;
    private readonly Action _release;
    private readonly TaskLogWriter _log;
    private readonly string _taskId;
    private readonly object _gate = new();
    private Task? _kill;
    private bool _disposed;

    /// <param name="processExit">Completes with the exit code when the task process has exited and been reaped.</param>
    /// <param name="release">Frees the process handle and the pipes, once the output has been read.</param>
    private TaskProcess(Stream stdout, Stream stderr, Task<int> processExit, Action release, ProcessIdentity identity, string taskId, TaskLogWriter log)
    {
        _stdout = stdout;
        _stderr = stderr;
        _processExit = processExit;
        _release = release;
        _log = log;
        _taskId = taskId;
        Identity = identity;
        Exited = RunAsync();
    }

    internal TaskProcess(SpawnedChild child, ProcessIdentity identity, string taskId, TaskLogWriter log)
        : this(child.Stdout, child.Stderr, child.Exited, () => { child.Stdout.Dispose(); child.Stderr.Dispose(); }, identity, taskId, log)
    {
    }

    internal TaskProcess(Process process, ProcessIdentity identity, string taskId, TaskLogWriter log)
        : this(process.StandardOutput.BaseStream, process.StandardError.BaseStream, ExitOf(process), process.Dispose, identity, taskId, log)
    {
    }

    public ProcessIdentity Identity { get; }

    /// <summary>
    /// Completes when the log could first not be written (a full disk): from then on the output is read and
    /// discarded, so the task never blocks on a full pipe, and at the end one stderr record says so if the disk takes
    /// it. Completes with null when the output ended without a failure (no later than <see cref="Exited"/>).
    /// </summary>
    public Task<OutputTruncation?> OutputTruncated => _log.Truncated;

    /// <summary>
    /// The exit code; 128 + signal number when the process died of a signal. Completes only after all output has
    /// been written to the log file (or, when a descendant keeps the output open, shortly after the task exited).
    /// </summary>
    public Task<int> Exited { get; }

    /// <summary>
    /// SIGTERM to the process group and to every descendant found; waits up to <paramref name="grace"/> for all of
    /// them to be gone; SIGKILLs whatever remains (re-scanning). Completes when the task process has exited and no
    /// descendant is left. Idempotent: later calls return the first kill.
    /// </summary>
    public Task KillAsync(TimeSpan grace)
    {
        lock (_gate)
        {
            return _kill ??= ProcessTree.KillAsync(Identity, _taskId, () => _processExit.IsCompleted, grace);
        }
    }

    /// <summary>Releases the process handle once the task has exited. Does not kill the task: use <see cref="KillAsync"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Exited.ContinueWith(_ => _release(), TaskScheduler.Default);
    }

    private static async Task<int> ExitOf(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private async Task<int> RunAsync()
    {
        using var stopReading = new CancellationTokenSource();
        var stdout = PumpAsync(_stdout, TaskLogFormat.StdoutMarker, stopReading.Token);
        var stderr = PumpAsync(_stderr, TaskLogFormat.StderrMarker, stopReading.Token);
        var exitCode = await _processExit.ConfigureAwait(false);
        ProcessTree.Release(Identity.Pid);

        var output = Task.WhenAll(stdout, stderr);
        if (await Task.WhenAny(output, Task.Delay(OutputDrainTimeout)).ConfigureAwait(false) != output)
        {
            // A descendant still holds the pipes: stop reading rather than wait for it.
            stopReading.Cancel();
        }

        await output.ConfigureAwait(false);
        _log.Dispose();
        await ZombieSweeper.SweepAfterAsync(Identity.Pid).ConfigureAwait(false);
        return exitCode;
    }

    private async Task PumpAsync(Stream stream, byte marker, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new byte[16 * 1024];
        var line = new byte[MaxLineBytes];
        var lineLength = 0;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                lineLength = WriteLines(marker, buffer.AsSpan(0, read), line, lineLength);
                _log.Flush();
            }
        }
        finally
        {
            if (lineLength > 0)
            {
                _log.Write(marker, line.AsSpan(0, lineLength));
            }

            _log.Flush();
        }
    }

    /// <summary>Writes every complete line of <paramref name="data"/>; returns how many bytes of an unfinished line are left in <paramref name="line"/>.</summary>
    private int WriteLines(byte marker, ReadOnlySpan<byte> data, byte[] line, int lineLength)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var part = newline < 0 ? data : data[..newline];
            while (!part.IsEmpty)
            {
                if (lineLength == line.Length)
                {
                    _log.Write(marker, line);
                    lineLength = 0;
                }

                var count = Math.Min(part.Length, line.Length - lineLength);
                part[..count].CopyTo(line.AsSpan(lineLength));
                lineLength += count;
                part = part[count..];
            }

            if (newline < 0)
            {
                break;
            }

            _log.Write(marker, line.AsSpan(0, lineLength));
            lineLength = 0;
            data = data[(newline + 1)..];
        }

        return lineLength;
    }
}
