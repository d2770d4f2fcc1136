using System.Diagnostics;
using System.Text;
using Scheduler.Agent.Processes;
using Scheduler.Agent.Tests.Support;
using Scheduler.Contracts.Tasks;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests.Processes;

/// <summary>
/// Output the disk cannot take: a task writing fast, and a full disk (ENOSPC from /dev/full, or a real tmpfs that fills
/// up). The task is never blocked by the agent's reading, and a cut-off log says where and why.
/// </summary>
public sealed class TaskOutputSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ProcessTestBed _bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_task_writing_64_MiB_as_fast_as_it_can_should_complete_with_every_byte_in_its_log()
    {
        const long bytes = 64L * 1024 * 1024;
        const string line = "0123456789abcdef"; // 17 bytes with its newline
        var clock = Stopwatch.StartNew();

        var process = _bed.Start("chatty", "sh", "-c", $"yes {line} 2>/dev/null | head -c {bytes}");
        var exitCode = await process.Exited.WaitAsync(Deadline);
        clock.Stop();

        Assert.Equal(0, exitCode);
        Assert.Null(await process.OutputTruncated);
        Assert.Equal(LogBytes(bytes, line.Length + 1), new FileInfo(_bed.LogPath("chatty")).Length);
        output.WriteLine($"{bytes / 1_048_576} MiB of output in {clock.ElapsedMilliseconds} ms: {bytes / clock.Elapsed.TotalSeconds / 1_048_576:F0} MiB/s");
    }

    [Fact]
    public async Task A_log_on_a_full_device_should_be_cut_off_while_the_output_is_read_to_its_end()
    {
        // /dev/full fails every write with ENOSPC, as a full disk does, without root. 20 MB are far more than a pipe
        // holds (64 KiB): had the agent stopped reading at the failure, the task would block writing for ever.
        var log = _bed.LogPath("full");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.CreateSymbolicLink(log, "/dev/full");

        var process = _bed.Start("full", "sh", "-c", "head -c 20000000 /dev/zero; echo done >&2");

        Assert.Equal(0, await process.Exited.WaitAsync(Deadline));
        Assert.Equal(new OutputTruncation(0, "No space left on device"), await process.OutputTruncated);
    }

    [Fact]
    public async Task A_disk_that_fills_up_should_keep_the_log_up_to_the_failure_and_append_a_note_once_there_is_room()
    {
        // Never skipped: the suite runs as root (CI, these machines); unprivileged, it says what it needs.
        Assert.True(Environment.IsPrivilegedProcess, "this spec mounts a 1 MiB tmpfs to fill a disk for real: run the suite as root");
        var logs = Path.GetDirectoryName(_bed.LogPath("fills"))!;
        Directory.CreateDirectory(logs);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "scheduler-spec", logs);
        try
        {
            var filler = Path.Combine(logs, "filler");
            await File.WriteAllBytesAsync(filler, new byte[128 * 1024]);
            var marker = Path.Combine(_bed.Directory, "go");
            var process = _bed.Start("fills", "sh", "-c",
                $"yes 0123456789abcdef 2>/dev/null | head -c 4000000; while [ ! -e {marker} ]; do sleep 0.02; done");

            // The disk fills up while the task runs on; the log holds every byte up to the failure.
            var truncation = (await process.OutputTruncated.WaitAsync(Deadline))!;
            Assert.Equal("No space left on device", truncation.Error);
            Assert.InRange(truncation.LogBytes, 512 * 1024, 1024 * 1024);
            Assert.Equal(truncation.LogBytes, new FileInfo(_bed.LogPath("fills")).Length);

            // Room again (the operator cleaned up): the task ends, and its log ends saying what happened.
            File.Delete(filler);
            await File.WriteAllTextAsync(marker, "");
            Assert.Equal(0, await process.Exited.WaitAsync(Deadline));

            var records = TaskLogFormat.Decode(await File.ReadAllBytesAsync(_bed.LogPath("fills"))).ToList();
            var (stream, note) = records[^1];
            Assert.Equal(OutputStream.Stderr, stream);
            Assert.StartsWith($"scheduler: output truncated: the log could not be written after {truncation.LogBytes} bytes (No space left on device); ", note);
            Assert.EndsWith($" {LogBytes(4_000_000, 17) - truncation.LogBytes} bytes of output discarded", note);
            Assert.All(records.SkipLast(2), r => Assert.Equal((OutputStream.Stdout, "0123456789abcdef"), r));
        }
        finally
        {
            Run("umount", "-l", logs);
        }
    }

    /// <summary>
    /// The log's size for <paramref name="outputBytes"/> of lines of <paramref name="lineBytes"/> (newline included):
    /// every line is a record with a marker byte in front, and an unfinished last line gets its newline too.
    /// </summary>
    private static long LogBytes(long outputBytes, int lineBytes)
    {
        var rest = outputBytes % lineBytes;
        return outputBytes + outputBytes / lineBytes + (rest == 0 ? 0 : 2);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {error}");
    }
}
