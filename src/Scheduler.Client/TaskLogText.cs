using Scheduler.Contracts.Tasks;

namespace Scheduler.Client;

/// <summary>Turns the raw <see cref="TaskLogFormat"/> bytes of a task's log into text lines.</summary>
public static class TaskLogText
{
    /// <summary>
    /// The output lines in order, of both streams or of <paramref name="stream"/> only. <paramref name="whole"/>: the
    /// log is all the task will ever have (the Master said it is complete), so a last record without its newline is a
    /// line too — it was cut short (a full disk) and nothing will end it. Otherwise such a record is still being
    /// copied and is left out.
    /// </summary>
    public static IReadOnlyList<string> Lines(byte[] log, OutputStream? stream = null, bool whole = false) =>
        Records(log, whole)
            .Where(record => stream is null || record.Stream == stream)
            .Select(record => record.Text)
            .ToList();

    /// <summary>The records of <paramref name="log"/> (see <see cref="Lines"/> for <paramref name="whole"/>).</summary>
    internal static IEnumerable<TaskLogLine> Records(ReadOnlyMemory<byte> log, bool whole)
    {
        var cutShort = whole && log.Length > 0 && log.Span[^1] != (byte)'\n';
        var records = cutShort ? TaskLogFormat.Decode((byte[])[.. log.Span, (byte)'\n']) : TaskLogFormat.Decode(log);
        return records.Select(record => new TaskLogLine(record.Stream, record.Line));
    }
}

/// <summary>One output line of a task's log and the stream it came from.</summary>
public sealed record TaskLogLine(OutputStream Stream, string Text);

/// <summary>
/// Whole lines of a task's log from byte <paramref name="Offset"/> to <paramref name="NextOffset"/> (where to ask next);
/// <paramref name="Complete"/>: the task is final and its whole log has been read.
/// </summary>
public sealed record TaskLogPage(string TaskId, long Offset, long NextOffset, IReadOnlyList<TaskLogLine> Lines, bool Complete);
