using System.Runtime.Versioning;
using Scheduler.Agent.Processes;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

/// <summary>
/// Every spec of <see cref="TaskProcessLauncherSpecs"/> with posix_spawn, the launcher wherever the system has it, and
/// what only it can promise. (Through sh, SIGPIPE stays ignored as the runtime set it: a shell cannot reset a signal
/// ignored on entry; and every descriptor the agent inherited without close-on-exec is passed on.)
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(TaskProcessLauncherSpecs.Collection)]
public sealed class SpawnedTaskProcessSpecs() : TaskProcessLauncherSpecs(TaskLaunchMethod.Spawn)
{
    [Fact]
    public async Task Task_should_start_with_no_signal_ignored_or_blocked()
    {
        // The agent's runtime ignores SIGPIPE and blocks signals on some threads; a task must not inherit either
        // (a shell pipeline whose reader ended would run on for ever, a blocked SIGTERM would make every kill wait the grace).
        var process = Bed.Start("t-signals", "grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "SigBlk:\t0000000000000000"), (OutputStream.Stdout, "SigIgn:\t0000000000000000")], Bed.Log("t-signals"));
    }

    [Fact]
    public async Task Task_should_hold_only_its_stdin_stdout_and_stderr()
    {
        // Started while another task runs: neither that task's pipes nor the agent's files may leak into it (a leaked
        // write end of another task's pipe keeps that task's log open after it ended).
        var other = Bed.Start("t-other", "sleep", "300");
        var process = Bed.Start("t-fds", "sleep", "300");

        // Read until the program has settled: while it starts, its loader and libc open files of their own for a moment
        // (the dynamic libraries, the locale archive), which showed as a transient fd 3. A leaked descriptor stays.
        List<string?> fds = [];
        for (var deadline = DateTime.UtcNow + ProcessTestBed.Timeout; DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            fds = [.. Directory.GetFiles($"/proc/{process.Identity.Pid}/fd").Select(Path.GetFileName).Order()];
            if (fds is ["0", "1", "2"])
            {
                break;
            }
        }

        Assert.Equal(["0", "1", "2"], fds);
        Assert.Equal("/dev/null", File.ResolveLinkTarget($"/proc/{process.Identity.Pid}/fd/0", returnFinalTarget: false)?.FullName);
        await Task.WhenAll(other.KillAsync(TimeSpan.FromSeconds(5)), process.KillAsync(TimeSpan.FromSeconds(5))).WaitAsync(ProcessTestBed.Timeout);
    }
}

/// <summary>Every spec of <see cref="TaskProcessLauncherSpecs"/> through sh and setsid, the launcher of older systems.</summary>
[SupportedOSPlatform("linux")]
[Collection(TaskProcessLauncherSpecs.Collection)]
public sealed class ShellStartedTaskProcessSpecs() : TaskProcessLauncherSpecs(TaskLaunchMethod.Shell);

/// <summary>What a started task process is, whichever <see cref="TaskLaunchMethod"/> started it.</summary>
[SupportedOSPlatform("linux")]
public abstract class TaskProcessLauncherSpecs(TaskLaunchMethod method) : IAsyncLifetime
{
    /// <summary>One at a time: both classes use the same task ids, and a test bed kills every process carrying its ids.</summary>
    public const string Collection = "task launchers";

    private protected ProcessTestBed Bed { get; } = new(method);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Bed.DisposeAsync();

    [Fact]
    public async Task Exited_should_be_zero_for_a_successful_command()
    {
        var process = Bed.Start("t-ok", "true");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Exited_should_be_the_exit_code_of_the_command()
    {
        var process = Bed.Start("t-three", "sh", "-c", "exit 3");

        Assert.Equal(3, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Exited_should_be_128_plus_the_signal_when_the_process_died_of_a_signal()
    {
        var process = Bed.Start("t-signalled", "sh", "-c", "kill -TERM $$");

        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task Exited_should_be_each_tasks_own_code_when_many_start_and_end_at_once()
    {
        // Starts from several threads at once while others end: each exit must reach its own task (the spawn path
        // learns exits from pidfds, whose numbers are reused as soon as one is closed).
        var started = await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
            Enumerable.Range(0, 25).Select(i => (Code: (thread * 25 + i) % 200, Process: Bed.Start($"t-many-{thread}-{i}", "sh", "-c", $"exit {(thread * 25 + i) % 200}"))).ToList())));

        foreach (var (code, process) in started.SelectMany(s => s))
        {
            Assert.Equal(code, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        }
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
            "t-order", ["sh", "-c", script], environment: new Dictionary<string, string> { ["LOG"] = Bed.LogPath("t-order") });
        var process = Bed.Start(spec);

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            [(OutputStream.Stdout, "a"), (OutputStream.Stderr, "b"), (OutputStream.Stdout, "c")],
            Bed.Log("t-order"));
        Assert.Equal("oa\neb\noc\n"u8.ToArray(), File.ReadAllBytes(Bed.LogPath("t-order")));
    }

    [Fact]
    public async Task Log_should_keep_a_final_line_without_newline_and_empty_lines()
    {
        var process = Bed.Start("t-partial", "printf", "x\\n\\ny");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal("ox\no\noy\n"u8.ToArray(), File.ReadAllBytes(Bed.LogPath("t-partial")));
    }

    [Fact]
    public async Task Log_should_hold_every_line_of_both_streams_in_order_when_exited_completes()
    {
        var process = Bed.Start("t-volume", "sh", "-c", "i=1; while [ $i -le 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        var log = Bed.Log("t-volume");
        var expected = Enumerable.Range(1, 2000).ToList();
        Assert.Equal(expected.Select(i => $"out{i}"), log.Where(r => r.Stream == OutputStream.Stdout).Select(r => r.Line));
        Assert.Equal(expected.Select(i => $"err{i}"), log.Where(r => r.Stream == OutputStream.Stderr).Select(r => r.Line));
    }

    [Fact]
    public async Task Log_should_split_a_very_long_line_into_records_of_64_KiB()
    {
        var process = Bed.Start("t-long", "sh", "-c", "head -c 70000 /dev/zero | tr '\\0' x");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            [(OutputStream.Stdout, new string('x', 65536)), (OutputStream.Stdout, new string('x', 70000 - 65536))],
            Bed.Log("t-long"));
    }

    [Fact]
    public async Task Log_should_be_appended_to_an_existing_log()
    {
        var first = Bed.Start("t-append", "echo", "one");
        Assert.Equal(0, await first.Exited.WaitAsync(ProcessTestBed.Timeout));
        var second = Bed.Start("t-append", "echo", "two");
        Assert.Equal(0, await second.Exited.WaitAsync(ProcessTestBed.Timeout));

        Assert.Equal([(OutputStream.Stdout, "one"), (OutputStream.Stdout, "two")], Bed.Log("t-append"));
    }

    [Fact]
    public async Task Start_should_apply_the_environment_the_task_id_and_the_working_directory()
    {
        var workingDirectory = Path.Combine(Bed.Directory, "work dir");
        Directory.CreateDirectory(workingDirectory);
        var spec = ProcessTestBed.Spec(
            "t-env",
            ["sh", "-c", "echo \"$GREETING\"; echo \"$SCHEDULER_TASK_ID\"; pwd; echo \"$PWD\"; echo \"$HOME\""],
            workingDirectory,
            new Dictionary<string, string> { ["GREETING"] = "hello world" });

        var process = Bed.Start(spec);

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal(
            ["hello world", "t-env", workingDirectory, workingDirectory, Environment.GetEnvironmentVariable("HOME") ?? ""],
            Bed.Log("t-env").Select(record => record.Line));
    }

    [Fact]
    public async Task Start_should_run_a_relative_executable_from_the_working_directory()
    {
        var workingDirectory = Path.Combine(Bed.Directory, "work");
        Directory.CreateDirectory(workingDirectory);
        var script = Path.Combine(workingDirectory, "run.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"ran $1\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var process = Bed.Start(ProcessTestBed.Spec("t-relative", ["./run.sh", "it"], workingDirectory));

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "ran it")], Bed.Log("t-relative"));
    }

    [Fact]
    public async Task Task_should_read_stdin_from_dev_null()
    {
        var process = Bed.Start("t-stdin", "readlink", "/proc/self/fd/0");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "/dev/null")], Bed.Log("t-stdin"));
    }

    [Fact]
    public async Task Task_should_lead_its_own_session_and_process_group()
    {
        // The task reports its own pid, process group (field 5) and session (field 6).
        var process = Bed.Start("t-group", "sh", "-c", "echo $$; cut -d' ' -f5,6 /proc/$$/stat");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        var pid = process.Identity.Pid;
        Assert.Equal([$"{pid}", $"{pid} {pid}"], Bed.Log("t-group").Select(record => record.Line));
        Assert.NotEqual(Environment.ProcessId, pid);
    }

    [Fact]
    public async Task Identity_should_be_the_task_process()
    {
        var process = Bed.Start("t-identity", "sleep", "300");

        Assert.Equal(ProcessIdentity.TryRead(process.Identity.Pid), process.Identity);
        Assert.True(process.Identity.IsAlive());
        await process.KillAsync(TimeSpan.FromSeconds(5)).WaitAsync(ProcessTestBed.Timeout);
        Assert.False(process.Identity.IsAlive());
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_executable_and_start_nothing()
    {
        var error = Assert.Throws<TaskProcessException>(() => Bed.Start("t-missing", "no-such-command-xyz", "arg"));

        Assert.Equal("cannot start 'no-such-command-xyz': No such file or directory", error.Message);
        Assert.False(File.Exists(Bed.LogPath("t-missing")));
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_executable_path()
    {
        var error = Assert.Throws<TaskProcessException>(() => Bed.Start("t-missing-path", "/no/such/program"));

        Assert.Equal("cannot start '/no/such/program': No such file or directory", error.Message);
        Assert.False(File.Exists(Bed.LogPath("t-missing-path")));
    }

    [Fact]
    public void Start_should_throw_for_a_file_that_is_not_executable()
    {
        var file = Path.Combine(Bed.Directory, "data.txt");
        File.WriteAllText(file, "echo no\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<TaskProcessException>(() => Bed.Start("t-noexec", file));

        Assert.Equal($"cannot start '{file}': Permission denied", error.Message);
    }

    [Fact]
    public void Start_should_throw_naming_a_missing_working_directory_and_start_nothing()
    {
        var missing = Path.Combine(Bed.Directory, "nowhere");

        var error = Assert.Throws<TaskProcessException>(
            () => Bed.Start(ProcessTestBed.Spec("t-nowhere", ["true"], missing)));

        Assert.Equal($"working directory '{missing}' does not exist", error.Message);
        Assert.False(File.Exists(Bed.LogPath("t-nowhere")));
    }

    [Fact]
    public void Start_should_throw_for_an_empty_command()
    {
        var error = Assert.Throws<TaskProcessException>(() => Bed.Start(ProcessTestBed.Spec("t-empty", [])));

        Assert.Equal("cannot start the task: the command is empty", error.Message);
    }

    [Fact]
    public async Task Exited_should_not_wait_for_a_descendant_that_keeps_the_output_open()
    {
        var process = Bed.Start("t-holder", "sh", "-c", "sleep 300 & echo started");

        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Equal([(OutputStream.Stdout, "started")], Bed.Log("t-holder"));
        Assert.Single(ProcessTestBed.ProcessesOfTask("t-holder"));

        await process.KillAsync(TimeSpan.FromSeconds(5)).WaitAsync(ProcessTestBed.Timeout);

        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-holder"));
    }
}
