using System.Text;

namespace Scheduler.Agent.Processes;

/// <summary>
/// Appends <see cref="Scheduler.Contracts.Tasks.TaskLogFormat"/> records (marker byte, line bytes, '\n') to a task's
/// log file. One lock, so records of stdout and stderr never interleave; flushed after every read so the log
/// can be read while the task runs.
/// A write that fails (a full disk: ENOSPC, an I/O error) never reaches the caller: the writer stops writing,
/// keeps counting what it is given (the task's output is still read and discarded, so the task never blocks on a
/// full pipe), reports <see cref="Truncated"/> once, and when it is disposed tries to append one stderr record saying
/// where and why the log was cut off.
/// </summary>
internal sealed class TaskLogWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly TaskCompletionSource<OutputTruncation?> _truncated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream? _file;
    private long _given;
    private bool _disposed;

    private TaskLogWriter(string path, FileStream file)
    {
        _path = path;
        _file = file;
    }

    /// <summary>
    /// Completes when a write first fails (the log is cut off there), or with null when the writer is disposed
    /// without a failure.
    /// </summary>
    public Task<OutputTruncation?> Truncated => _truncated.Task;

    /// <summary>Opens (creates) the log for appending, creating directories as needed.</summary>
    public static TaskLogWriter Open(string path)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            return new TaskLogWriter(path, new FileStream(
                path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TaskProcessException($"cannot open log file '{path}': {e.Message}");
        }
    }

    public void Write(byte marker, ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _given += line.Length + 2;
            if (_file is null)
            {
                return; // cut off: discarded
            }

            try
            {
                _file.WriteByte(marker);
                _file.Write(line);
                _file.WriteByte((byte)'\n');
            }
            catch (IOException e)
            {
                Fail(e);
            }
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                FlushOrCutOff();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            FlushOrCutOff();
            _disposed = true;
            _file?.Dispose();
            _file = null;
            if (_truncated.Task.IsCompleted)
            {
                AppendNote(_truncated.Task.Result!);
            }
            else
            {
                _truncated.TrySetResult(null);
            }
        }
    }

    /// <summary>Writes out the buffer; a failure cuts the log off there. Called under the lock.</summary>
    private void FlushOrCutOff()
    {
        try
        {
            _file?.Flush();
        }
        catch (IOException e)
        {
            Fail(e);
        }
    }

    private void Fail(IOException error)
    {
        try
        {
            _file?.Dispose(); // flushes the buffer once more; fails the same way
        }
        catch (IOException)
        {
            // The handle is closed either way.
        }

        _file = null;
        _truncated.TrySetResult(new OutputTruncation(LengthOnDisk(), OsError(error)));
    }

    /// <summary>One stderr record at the end saying the log was cut off, if the disk takes it by now (else only the journal says so).</summary>
    private void AppendNote(OutputTruncation truncation)
    {
        var discarded = Math.Max(0, _given - truncation.LogBytes);
        var note = $"scheduler: output truncated: the log could not be written after {truncation.LogBytes} bytes ({truncation.Error}); "
                   + $"{discarded} bytes of output discarded";
        try
        {
            using var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var record = new List<byte>();
            if (file.Length > 0)
            {
                // A record cut off by the failure gets its end, so the note stands on its own line.
                file.Position = file.Length - 1;
                var last = file.ReadByte();
                if (last != '\n')
                {
                    record.Add((byte)'\n');
                }
            }

            record.Add(Scheduler.Contracts.Tasks.TaskLogFormat.StderrMarker);
            record.AddRange(Encoding.UTF8.GetBytes(note));
            record.Add((byte)'\n');
            file.Seek(0, SeekOrigin.End);
            file.Write(record.ToArray());
            file.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Still no room (or no file that can take it): the task's journal holds the truncation.
        }
    }

    /// <summary>The operating system's words: .NET appends " : 'PATH'" to them, and the path is the log's, known anyway.</summary>
    private string OsError(IOException error)
    {
        var suffix = $" : '{_path}'";
        return error.Message.EndsWith(suffix, StringComparison.Ordinal) ? error.Message[..^suffix.Length] : error.Message;
    }

    private long LengthOnDisk()
    {
        try
        {
            // Through a symbolic link to the file it names (FileInfo alone measures the link).
            return new FileInfo(File.ResolveLinkTarget(_path, returnFinalTarget: true)?.FullName ?? _path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}

/// <summary>A task's log was cut off at <paramref name="LogBytes"/> because a write failed with <paramref name="Error"/>.</summary>
public sealed record OutputTruncation(long LogBytes, string Error);
