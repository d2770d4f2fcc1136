using Scheduler.Agent.Processes;
using Xunit;

namespace Scheduler.Agent.Tests.Processes;

public sealed class SubreaperSpecs
{
    [Fact]
    public void TryEnable_should_make_this_process_a_child_subreaper()
    {
        Assert.True(Subreaper.TryEnable());

        Assert.True(Subreaper.IsEnabled());
    }
}
