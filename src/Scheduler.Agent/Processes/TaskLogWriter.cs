namespace Scheduler.Agent.Processes;

/// <summary>
/// Appends <see cref="Scheduler.Contracts.Tasks.TaskLogFormat"/> records (marker byte, line bytes, '\n') to a task's
/// log file. One lock, so records of stdout and stderr never interleave; flushed after every read so the log
/// can be read while the task runs.
/// </summary>
internal sealed class TaskLogWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private bool _disposed;

    private TaskLogWriter(FileStream file)
    {
        _file = file;
    }

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

            return new TaskLogWriter(new FileStream(
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

            _file.WriteByte(marker);
            _file.Write(line);
            _file.WriteByte((byte)'\n');
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _file.Flush();
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

            _disposed = true;
            _file.Dispose();
        }
    }
}
