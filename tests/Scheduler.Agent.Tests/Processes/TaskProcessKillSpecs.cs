using System.Diagnostics;
using Scheduler.Agent.Processes;
using Scheduler.Contracts.Tasks;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

public sealed class TaskProcessKillSpecs : IAsyncLifetime
{
    private static readonly TimeSpan _shortGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// For specs that expect SIGTERM to do the job: a kill ends as soon as everything is gone, so a long grace
    /// costs nothing, while a short one lets a busy machine turn the SIGTERM into a SIGKILL (exit 137).
    /// </summary>
    private static readonly TimeSpan _patientGrace = TimeSpan.FromSeconds(10);
    private readonly ProcessTestBed _bed = new();

    public TaskProcessKillSpecs()
    {
        // Descendants that escape with setsid are re-parented to this test process and can be reaped.
        Assert.True(Subreaper.TryEnable());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task KillAsync_should_sigkill_a_process_that_ignores_sigterm_after_the_grace()
    {
        // The ignored TERM is inherited by sleep, so neither the shell nor its child reacts to it.
        var process = _bed.Start("t-stubborn", "sh", "-c", "trap '' TERM; echo ready; sleep 60");
        await _bed.WaitForStdoutAsync("t-stubborn", "ready");
        var clock = Stopwatch.StartNew();

        await process.KillAsync(_shortGrace).WaitAsync(ProcessTestBed.Timeout);

        Assert.True(clock.Elapsed >= _shortGrace, $"killed after {clock.Elapsed}, before the grace");
        Assert.Equal(128 + 9, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.False(process.Identity.IsAlive());
        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-stubborn"));
    }

    [Fact]
    public async Task KillAsync_should_return_well_before_the_grace_when_the_process_stops_on_sigterm()
    {
        var process = _bed.Start("t-polite", "sleep", "300");
        var grace = TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();

        await process.KillAsync(grace).WaitAsync(ProcessTestBed.Timeout);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task KillAsync_should_let_a_trap_handler_finish_within_the_grace()
    {
        var process = _bed.Start("t-cleanup", "sh", "-c", "trap 'echo cleaning; exit 5' TERM; echo ready; while :; do sleep 0.05; done");
        await _bed.WaitForStdoutAsync("t-cleanup", "ready");

        await process.KillAsync(TimeSpan.FromSeconds(10)).WaitAsync(ProcessTestBed.Timeout);

        Assert.Equal(5, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        Assert.Contains((Scheduler.Contracts.Tasks.OutputStream.Stdout, "cleaning"), _bed.Log("t-cleanup"));
    }

    [Fact]
    public async Task KillAsync_should_kill_the_group_and_descendants_that_escaped_it()
    {
        // One sleep stays in the task's group, the other leaves it with setsid (new session, new group).
        var process = _bed.Start("t-tree", "sh", "-c", "setsid sleep 300 & sleep 300 & wait");
        var pid = process.Identity.Pid;
        List<int> before = [];
        await ProcessTestBed.WaitUntilAsync(
            () =>
            {
                before = ProcessTestBed.ProcessesOfTask("t-tree");
                var sleeps = before.Where(p => ProcessTestBed.Command(p) == "sleep").ToList();
                return before.Count == 3
                    && sleeps.Count == 2
                    && sleeps.Any(p => ProcessTestBed.StatField(p, 6) != $"{pid}")
                    && sleeps.Any(p => ProcessTestBed.StatField(p, 5) == $"{pid}");
            },
            "the task, a sleep in its group and a sleep in a session of its own");

        await process.KillAsync(_patientGrace).WaitAsync(ProcessTestBed.Timeout);

        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-tree"));
        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        // Killed descendants re-parented to this process were reaped, not left as zombies.
        Assert.All(before, p => Assert.False(Directory.Exists($"/proc/{p}"), $"{p} is still in /proc"));
    }

    [Fact]
    public async Task A_task_that_ends_by_itself_should_leave_no_zombie_of_a_child_it_left_behind()
    {
        // The background sleep ends first, as a zombie child of the task process (which, exec'd into sleep, never waits
        // for children); when the task ends the zombie is re-parented to this process (the subreaper) before the end is
        // seen here, so the sweep after the task's end must find and reap it.
        var process = _bed.Start("t-left-child", "sh", "-c", "sleep 0.2 >/dev/null 2>&1 & echo $!; exec sleep 1");
        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));

        var orphan = int.Parse(_bed.Log("t-left-child").Single(l => l.Stream == OutputStream.Stdout).Line, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{orphan}"), $"{orphan} is still in /proc: {ProcessTestBed.StatField(orphan, 3)}");
    }

    [Fact]
    public async Task KillAsync_should_find_an_escaped_descendant_after_the_task_process_exited()
    {
        var process = _bed.Start("t-escaped", "sh", "-c", "setsid sh -c 'trap \"\" TERM; sleep 300' </dev/null >/dev/null 2>&1 & echo ready");
        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
        // The background child may still be exec-ing (its /proc environ unreadable for a moment).
        await ProcessTestBed.WaitUntilAsync(() => ProcessTestBed.ProcessesOfTask("t-escaped").Count > 0, "the escaped descendant visible in /proc");

        await process.KillAsync(_shortGrace).WaitAsync(ProcessTestBed.Timeout);

        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-escaped"));
    }

    [Fact]
    public async Task KillAsync_should_be_idempotent()
    {
        var process = _bed.Start("t-twice", "sleep", "300");

        var first = process.KillAsync(_patientGrace);
        var second = process.KillAsync(_patientGrace);
        await Task.WhenAll(first, second).WaitAsync(ProcessTestBed.Timeout);
        await process.KillAsync(_patientGrace).WaitAsync(ProcessTestBed.Timeout);

        Assert.Same(first, second);
        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task KillAsync_should_complete_at_once_for_a_task_that_already_exited()
    {
        var process = _bed.Start("t-done", "true");
        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));

        await process.KillAsync(TimeSpan.FromSeconds(10)).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
