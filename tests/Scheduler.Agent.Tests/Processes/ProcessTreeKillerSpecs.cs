using Scheduler.Agent.Processes;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

public sealed class ProcessTreeKillerSpecs : IAsyncLifetime
{
    private static readonly TimeSpan _grace = TimeSpan.FromMilliseconds(500);
    private readonly ProcessTestBed _bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task KillOrphanAsync_should_refuse_an_identity_with_other_start_ticks_and_kill_nothing()
    {
        var process = _bed.Start("t-orphan-other", "sleep", "300");
        // Right after the start the process may still be exec-ing (its /proc environ unreadable for a moment).
        await ProcessTestBed.WaitUntilAsync(() => ProcessTestBed.ProcessesOfTask("t-orphan-other").Count == 1, "the task process visible in /proc");
        var stranger = process.Identity with { StartTicks = process.Identity.StartTicks + 1 };

        Assert.False(await ProcessTreeKiller.KillOrphanAsync(stranger, "t-orphan-other", _grace).WaitAsync(ProcessTestBed.Timeout));

        Assert.True(process.Identity.IsAlive());
        Assert.False(process.Exited.IsCompleted);
        Assert.Single(ProcessTestBed.ProcessesOfTask("t-orphan-other"));
    }

    [Fact]
    public async Task KillOrphanAsync_should_refuse_an_identity_from_another_boot()
    {
        var process = _bed.Start("t-orphan-boot", "sleep", "300");
        var stranger = process.Identity with { BootId = Guid.NewGuid().ToString() };

        Assert.False(await ProcessTreeKiller.KillOrphanAsync(stranger, "t-orphan-boot", _grace).WaitAsync(ProcessTestBed.Timeout));

        Assert.True(process.Identity.IsAlive());
    }

    [Fact]
    public async Task KillOrphanAsync_should_kill_a_matching_process_and_its_group()
    {
        var process = _bed.Start("t-orphan-match", "sh", "-c", "sleep 300 & echo ready; wait");
        await _bed.WaitForStdoutAsync("t-orphan-match", "ready");
        var identity = new ProcessIdentity(process.Identity.Pid, process.Identity.StartTicks, process.Identity.BootId);

        Assert.True(await ProcessTreeKiller.KillOrphanAsync(identity, "t-orphan-match", _grace).WaitAsync(ProcessTestBed.Timeout));

        Assert.False(identity.IsAlive());
        Assert.Empty(ProcessTestBed.ProcessesOfTask("t-orphan-match"));
        Assert.Equal(128 + 15, await process.Exited.WaitAsync(ProcessTestBed.Timeout));
    }

    [Fact]
    public async Task KillOrphanAsync_should_return_false_for_a_process_that_is_gone()
    {
        var process = _bed.Start("t-orphan-gone", "true");
        Assert.Equal(0, await process.Exited.WaitAsync(ProcessTestBed.Timeout));

        Assert.False(await ProcessTreeKiller.KillOrphanAsync(process.Identity, "t-orphan-gone", _grace).WaitAsync(ProcessTestBed.Timeout));
    }
}
