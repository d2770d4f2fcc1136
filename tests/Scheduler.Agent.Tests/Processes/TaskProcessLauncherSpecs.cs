using System.Runtime.Versioning;
using Scheduler.Agent.Processes;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

[SupportedOSPlatform("linux")]
public sealed class TaskProcessLauncherSpecs : IAsyncLifetime
{
    private readonly ProcessTestBed _bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Exited_should_be_zero_for_a_successful_command()
    {
        var process = _bed.Start("t-ok", "true");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Exited_should_be_the_exit_code_of_the_command()
    {
        var process = _bed.Start("t-three", "sh", "-c", "exit 3");

        Assert.Equal(3, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Exited_should_be_128_plus_the_signal_when_the_process_died_of_a_signal()
    {
        var process = _bed.Start("t-signalled", "sh", "-c", "kill -TERM $$");

        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Log_should_hold_stdout_and_stderr_lines_with_their_markers_in_arrival_order()
    {
        // Each line is written only once the previous one is in the log, so the order is not left to chance.
        const string script = """
            echo a
            until grep -qx oa "$LOG"; do sleep 0.01; done
            echo b >&2
            until grep -qx eb "$LOG"; do sleep 0.01; done
            echo c
            """;
        var spec = ProcessTestBed.Spec(
            "t-order", ["sh", "-c", script], environment: new Dictionary<string, string> { ["LOG"] = _bed.LogPath("t-order") });
        var process = _bed.Start(spec);

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            [(OutputStream.Stdout, "a"), (OutputStream.Stderr, "b"), (OutputStream.Stdout, "c")],
            _bed.Log("t-order"));
        Assert.Equal("oa\neb\noc\n"u8.ToArray(), File.ReadAllBytes(_bed.LogPath("t-order")));
    }

    [Fact]
    public async Task Log_should_keep_a_final_line_without_newline_and_empty_lines()
    {
        var process = _bed.Start("t-partial", "printf", "x\\n\\ny");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal("ox\no\noy\n"u8.ToArray(), File.ReadAllBytes(_bed.LogPath("t-partial")));
    }

    [Fact]
    public async Task Log_should_hold_every_line_of_both_streams_in_order_when_exited_completes()
    {
        var process = _bed.Start("t-volume", "sh", "-c", "i=1; while [ $i -le 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        var log = _bed.Log("t-volume");
        var expected = Enumerable.Range(1, 2000).ToList();
        Assert.Equal(expected.Select(i => $"out{i}"), log.Where(r => r.Stream == OutputStream.Stdout).Select(r => r.Line));
        Assert.Equal(expected.Select(i => $"err{i}"), log.Where(r => r.Stream == OutputStream.Stderr).Select(r => r.Line));
    }

    [Fact]
    public async Task Log_should_split_a_very_long_line_into_records_of_64_KiB()
    {
        var process = _bed.Start("t-long", "sh", "-c", "head -c 70000 /dev/zero | tr '\\0' x");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            [(OutputStream.Stdout, new string('x', 65536)), (OutputStream.Stdout, new string('x', 70000 - 65536))],
            _bed.Log("t-long"));
    }

    [Fact]
    public async Task Log_should_be_appended_to_an_existing_log()
    {
        var first = _bed.Start("t-append", "echo", "one");
        Assert.Equal(0, await first.Exited.WaitAsync(ProcessTestBed.Timeout));
        var second = _bed.Start("t-append", "echo", "two");
        Assert.Equal(0, await second.Exited.WaitAsync(ProcessTestBed.Timeout));

        Assert.Equal([(OutputStream.Stdout, "one"), (OutputStream.Stdout, "two")], _bed.Log("t-append"));
    }

    [Fact]
    public async Task Start_should_apply_the_environment_the_task_id_and_the_working_directory()
    {
        var workingDirectory = Path.Combine(_bed.Directory, "work dir");
        Directory.CreateDirectory(workingDirectory);
        var spec = ProcessTestBed.Spec(
            "t-env",
            ["sh", "-c", "echo \"$GREETING\"; echo \"$SCHEDULER_TASK_ID\"; pwd; echo \"$PWD\"; echo \"$HOME\""],
            workingDirectory,
            new Dictionary<string, string> { ["GREETING"] = "hello world" });

        var process = _bed.Start(spec);

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            ["hello world", "t-env", workingDirectory, workingDirectory, Environment.GetEnvironmentVariable("HOME") ?? ""],
            _bed.Log("t-env").Select(record => record.Line));
    }

    [Fact]
    public async Task Start_should_run_a_relative_executable_from_the_working_directory()
    {
        var workingDirectory = Path.Combine(_bed.Directory, "work");
        Directory.CreateDirectory(workingDirectory);
        var script = Path.Combine(workingDirectory, "run.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"ran $1\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var process = _bed.Start(ProcessTestBed.Spec("t-relative", ["./run.sh", "it"], workingDirectory));

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "ran it")], _bed.Log("t-relative"));
    }

    [Fact]
    public async Task Task_should_read_stdin_from_dev_null()
    {
        var process = _bed.Start("t-stdin", "readlink", "/proc/self/fd/0");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "/dev/null")], _bed.Log("t-stdin"));
    }

    [Fact]
    public async Task Task_should_lead_its_own_session_and_process_group()
    {
        // The task reports its own pid, process group (field 5) and session (field 6).
        var process = _bed.Start("t-group", "sh", "-c", "echo $$; cut -d' ' -f5,6 /proc/$$/stat");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        var pid = process.Identity.Pid;
        Assert.Equal([$"{pid}", $"{pid} {pid}"], _bed.Log("t-group").Select(record => record.Line));
        Assert.NotEqual(Environment.ProcessId, pid);
    }

    [Fact]
    public async Task Identity_should_be_the_task_process()
    {
        var process = _bed.Start("t-identity", "sleep", "300");

        Assert.Equal(ProcessIdentity.TryRead(process.Identity.Pid), process.Identity);
        Assert.True(process.Identity.IsAlive());
        await process.KillAsync(TimeSpan.FromSeconds(5)).WaitAsync(ProcessTestBed.Timeout);
        Assert.False(process.Identity.IsAlive());
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_executable_and_start_nothing()
    {
        var error = Assert.Throws<TaskProcessException>(() => _bed.Start("t-missing", "no-such-command-xyz", "arg"));

        Assert.Equal("cannot start 'no-such-command-xyz': No such file or directory", error.Message);
        Assert.False(File.Exists(_bed.LogPath("t-missing")));
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_executable_path()
    {
        var error = Assert.Throws<TaskProcessException>(() => _bed.Start("t-missing-path", "/no/such/program"));

        Assert.Equal("cannot start '/no/such/program': No such file or directory", error.Message);
        Assert.False(File.Exists(_bed.LogPath("t-missing-path")));
    }

    [Fact]
    public void Start_should_throw_for_a_file_that_is_not_executable()
    {
        var file = Path.Combine(_bed.Directory, "data.txt");
        File.WriteAllText(file, "echo no\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<TaskProcessException>(() => _bed.Start("t-noexec", file));

        Assert.Equal($"cannot start '{file}': Permission denied", error.Message);
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_working_directory_and_start_nothing()
    {
        var missing = Path.Combine(_bed.Directory, "nowhere");

        var error = Assert.Throws<TaskProcessException>(
            () => _bed.Start(ProcessTestBed.Spec("t-nowhere", ["true"], missing)));

        Assert.Equal($"working directory '{missing}' does not exist", error.Message);
        Assert.False(File.Exists(_bed.LogPath("t-nowhere")));
    }

    [Fact]
    public void Start_should_throw_for_an_empty_command()
    {
        var error = Assert.Throws<TaskProcessException>(() => _bed.Start(ProcessTestBed.Spec("t-empty", [])));

        Assert.Equal("cannot start the task: the command is empty", error.Message);
    }

    [Fact]
    public async Task Exited_should_not_wait_for_a_descendant_that_keeps_the_output_open()
    {
        var process = _bed.Start("t-holder", "sh", "-c", "sleep 300 & echo started");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "started")], _bed.Log("t-holder"));
        Assert.Single(ProcessTestBed.ProcessesOfTask("t-holder"));

        await process.KillAsync(TimeSpan.FromSeconds(5)).WaitAsync(ProcessTestBed.Timeout);

        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-holder"));
    }
}
