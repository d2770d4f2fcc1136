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

/// <summary>One output line of a task's log and the stream it came from.</summary>
public sealed record TaskLogLine(OutputStream Stream, string Text);

/// <summary>
/// Whole lines of a task's log from byte <paramref name="Offset"/> to <paramref name="NextOffset"/> (where to ask next);
/// <paramref name="Complete"/>: the task is final and its whole log has been read.
/// </summary>
public sealed record TaskLogPage(string TaskId, long Offset, long NextOffset, IReadOnlyList<TaskLogLine> Lines, bool Complete);
