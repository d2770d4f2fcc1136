using Scheduler.Agent.Processes;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

public sealed class ProcessIdentitySpecs
{
    [Fact]
    public void TryRead_should_read_the_current_process()
    {
        var identity = ProcessIdentity.TryRead(Environment.ProcessId);

        Assert.NotNull(identity);
        Assert.Equal(Environment.ProcessId, identity.Pid);
        Assert.Equal(ProcessTestBed.StatField(Environment.ProcessId, 22), identity.StartTicks.ToString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), identity.BootId);
        Assert.True(Guid.TryParse(identity.BootId, out _));
        Assert.True(identity.IsAlive());
    }

    [Fact]
    public void TryRead_should_return_null_for_a_pid_that_does_not_exist()
    {
        Assert.Null(ProcessIdentity.TryRead(int.MaxValue));
    }

    [Fact]
    public void IsAlive_should_be_false_for_other_start_ticks()
    {
        var identity = ProcessIdentity.TryRead(Environment.ProcessId)!;

        Assert.False((identity with { StartTicks = identity.StartTicks + 1 }).IsAlive());
    }

    [Fact]
    public void IsAlive_should_be_false_for_another_boot()
    {
        var identity = ProcessIdentity.TryRead(Environment.ProcessId)!;

        Assert.False((identity with { BootId = Guid.NewGuid().ToString() }).IsAlive());
    }
}
