using Scheduler.Contracts.Tasks;

namespace Scheduler.Client;

/// <summary>Turns the raw <see cref="TaskLogFormat"/> bytes of a task's log into text lines.</summary>
public static class TaskLogText
{
    /// <summary>The output lines in order, of both streams or of <paramref name="stream"/> only.</summary>
    public static IReadOnlyList<string> Lines(byte[] log, OutputStream? stream = null) =>
        TaskLogFormat.Decode(log)
            .Where(record => stream is null || record.Stream == stream)
            .Select(record => record.Line)
            .ToList();
}
