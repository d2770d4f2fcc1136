using Scheduler.Agent.Processes;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

public sealed class TaskLogFilesSpecs : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "scheduler-log-tests", Guid.NewGuid().ToString("N"));

    public TaskLogFilesSpecs()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PathFor_should_name_the_file_after_the_task()
    {
        Assert.Equal(Path.Combine(_directory, "t-1.log"), TaskLogFiles.PathFor(_directory, "t-1"));
    }

    [Fact]
    public void PathFor_should_reject_an_id_that_is_not_a_safe_name()
    {
        Assert.Throws<ArgumentException>(() => TaskLogFiles.PathFor(_directory, "../escape"));
    }

    [Fact]
    public void ReadChunk_should_return_nothing_for_a_missing_file()
    {
        var (data, length) = TaskLogFiles.ReadChunk(Path.Combine(_directory, "missing.log"), 0, 100);

        Assert.Empty(data);
        Assert.Equal(0, length);
    }

    [Fact]
    public void ReadChunk_should_read_by_offset_and_report_the_length()
    {
        var path = Path.Combine(_directory, "t.log");
        File.WriteAllBytes(path, "0123456789"u8.ToArray());

        Assert.Equal(("0123"u8.ToArray(), 10L), TaskLogFiles.ReadChunk(path, 0, 4), ChunkComparer.Instance);
        Assert.Equal(("4567"u8.ToArray(), 10L), TaskLogFiles.ReadChunk(path, 4, 4), ChunkComparer.Instance);
        Assert.Equal(("89"u8.ToArray(), 10L), TaskLogFiles.ReadChunk(path, 8, 4), ChunkComparer.Instance);
        Assert.Equal(("0123456789"u8.ToArray(), 10L), TaskLogFiles.ReadChunk(path, 0, 1000), ChunkComparer.Instance);
        Assert.Equal((Array.Empty<byte>(), 10L), TaskLogFiles.ReadChunk(path, 10, 4), ChunkComparer.Instance);
        Assert.Equal((Array.Empty<byte>(), 10L), TaskLogFiles.ReadChunk(path, 25, 4), ChunkComparer.Instance);
        Assert.Equal((Array.Empty<byte>(), 10L), TaskLogFiles.ReadChunk(path, 3, 0), ChunkComparer.Instance);
    }

    [Fact]
    public void ReadChunk_should_see_what_was_appended_since()
    {
        var path = Path.Combine(_directory, "grow.log");
        File.WriteAllBytes(path, "ab"u8.ToArray());
        var (first, firstLength) = TaskLogFiles.ReadChunk(path, 0, 100);
        File.AppendAllText(path, "cd");

        var (second, secondLength) = TaskLogFiles.ReadChunk(path, firstLength, 100);

        Assert.Equal("ab"u8.ToArray(), first);
        Assert.Equal("cd"u8.ToArray(), second);
        Assert.Equal(4, secondLength);
    }

    private sealed class ChunkComparer : IEqualityComparer<(byte[] Data, long FileLength)>
    {
        public static ChunkComparer Instance { get; } = new();

        public bool Equals((byte[] Data, long FileLength) x, (byte[] Data, long FileLength) y) =>
            x.FileLength == y.FileLength && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode((byte[] Data, long FileLength) obj) => obj.FileLength.GetHashCode();
    }
}
