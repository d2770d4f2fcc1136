using System.Text;
using Scheduler.Contracts.Tasks;

namespace Scheduler.Contracts.Tests;

public sealed class TaskLogFormatSpecs
{
    [Fact]
    public void EncodeLine_should_write_marker_utf8_bytes_and_newline()
    {
        Assert.Equal("ohi\n"u8.ToArray(), TaskLogFormat.EncodeLine(OutputStream.Stdout, "hi"));
        Assert.Equal("egrüß\n"u8.ToArray(), TaskLogFormat.EncodeLine(OutputStream.Stderr, "grüß"));
        Assert.Equal("o\n"u8.ToArray(), TaskLogFormat.EncodeLine(OutputStream.Stdout, ""));
    }

    [Fact]
    public void Decode_should_return_lines_of_both_streams_in_order()
    {
        var log = Concat(
            TaskLogFormat.EncodeLine(OutputStream.Stdout, "one"),
            TaskLogFormat.EncodeLine(OutputStream.Stderr, "zwei ü €"),
            TaskLogFormat.EncodeLine(OutputStream.Stdout, ""),
            TaskLogFormat.EncodeLine(OutputStream.Stdout, "🙂 four"));

        var lines = TaskLogFormat.Decode(log).ToList();

        Assert.Equal(
            [(OutputStream.Stdout, "one"), (OutputStream.Stderr, "zwei ü €"), (OutputStream.Stdout, ""), (OutputStream.Stdout, "🙂 four")],
            lines);
    }

    [Fact]
    public void Decode_should_ignore_a_record_cut_off_at_the_end()
    {
        var whole = Concat(
            TaskLogFormat.EncodeLine(OutputStream.Stdout, "done"),
            TaskLogFormat.EncodeLine(OutputStream.Stderr, "partiäl"));
        var cut = whole[..^3];

        var lines = TaskLogFormat.Decode(cut).ToList();

        Assert.Equal([(OutputStream.Stdout, "done")], lines);
    }

    [Fact]
    public void Decode_should_return_nothing_for_an_empty_log()
    {
        Assert.Empty(TaskLogFormat.Decode(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Decode_should_round_trip_what_EncodeLine_wrote()
    {
        var text = "line with\ttab and 日本語";
        var (stream, line) = Assert.Single(TaskLogFormat.Decode(TaskLogFormat.EncodeLine(OutputStream.Stderr, text)));

        Assert.Equal(OutputStream.Stderr, stream);
        Assert.Equal(text, line);
        Assert.Equal(Encoding.UTF8.GetByteCount(text) + 2, TaskLogFormat.EncodeLine(OutputStream.Stderr, text).Length);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
