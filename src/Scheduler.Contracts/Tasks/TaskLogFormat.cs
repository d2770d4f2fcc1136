using System.Text;

namespace Scheduler.Contracts.Tasks;

/// <summary>Which output stream a log line came from.</summary>
public enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>
/// The byte format of a task's log file on the agent and of the Master's copy: one record per output
/// line, in arrival order, each a stream marker byte (<c>o</c> or <c>e</c>) followed by the line's bytes
/// and <c>\n</c>. The Master copies the file by byte offset, so the copy is byte-equal to the agent's.
/// </summary>
public static class TaskLogFormat
{
    public const byte StdoutMarker = (byte)'o';
    public const byte StderrMarker = (byte)'e';

    public static byte[] EncodeLine(OutputStream stream, string line)
    {
        var count = Encoding.UTF8.GetByteCount(line);
        var bytes = new byte[count + 2];
        bytes[0] = stream == OutputStream.Stdout ? StdoutMarker : StderrMarker;
        Encoding.UTF8.GetBytes(line, bytes.AsSpan(1));
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>
    /// The output text of a whole log (or of every complete record of it), optionally of one stream only.
    /// A record cut off at the end (a chunk boundary) is ignored.
    /// </summary>
    public static IEnumerable<(OutputStream Stream, string Line)> Decode(ReadOnlyMemory<byte> log)
    {
        var start = 0;
        var span = log.Span;
        while (start < span.Length)
        {
            var end = span[start..].IndexOf((byte)'\n');
            if (end < 0)
            {
                yield break;
            }

            var stream = span[start] == StderrMarker ? OutputStream.Stderr : OutputStream.Stdout;
            var line = Encoding.UTF8.GetString(log.Span.Slice(start + 1, end - 1));
            yield return (stream, line);
            span = log.Span;
            start += end + 1;
        }
    }
}
