using Scheduler.Contracts.Tasks;

namespace Scheduler.Agent.Processes;

/// <summary>Where task logs live on the agent and how they are read by offset.</summary>
public static class TaskLogFiles
{
    /// <summary><c>logsDirectory/taskId.log</c>; the task id must be a valid <see cref="TaskIds"/> name.</summary>
    public static string PathFor(string logsDirectory, string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(logsDirectory);
        if (TaskIds.Problem(taskId) is { } problem)
        {
            throw new ArgumentException(problem, nameof(taskId));
        }

        return Path.Combine(logsDirectory, taskId + ".log");
    }

    /// <summary>Deletes a released task's log file; a missing file is fine.</summary>
    public static void Delete(string path) => File.Delete(path);

    /// <summary>The log's length in bytes (0 if it does not exist), or null if the file cannot be looked at.</summary>
    public static long? LengthOf(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Up to <paramref name="maxBytes"/> from <paramref name="offset"/>; an empty array if the file does not exist or
    /// offset &gt;= length. FileLength is the file's current length (0 if it does not exist).
    /// </summary>
    public static (byte[] Data, long FileLength) ReadChunk(string path, long offset, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ([], 0);
        }

        using (file)
        {
            var length = file.Length;
            if (offset >= length || maxBytes == 0)
            {
                return ([], length);
            }

            var data = new byte[(int)Math.Min(maxBytes, length - offset)];
            file.Position = offset;
            var total = 0;
            while (total < data.Length)
            {
                var read = file.Read(data, total, data.Length - total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return (total == data.Length ? data : data[..total], length);
        }
    }
}
