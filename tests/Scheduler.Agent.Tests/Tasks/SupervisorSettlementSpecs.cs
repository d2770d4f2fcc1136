using Akka.Actor;
using Scheduler.Agent.Tasks;
using Xunit.Abstractions;

namespace Scheduler.Agent.Tests.Tasks;

/// <summary>An agent's shutdown waits for each task supervisor to settle, and not for one that has stopped.</summary>
public sealed class SupervisorSettlementSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_supervisor_that_stopped_should_count_as_settled_at_once_not_after_the_timeout()
    {
        var supervisor = CreateTestProbe();
        Watch(supervisor.Ref);
        Sys.Stop(supervisor.Ref);
        ExpectTerminated(supervisor.Ref);

        // The command goes to dead letters and is never answered: without watching, this waits the whole five minutes.
        await SupervisorSettlement.SettledAsync(supervisor.Ref, new KillForShutdown("agent stopped"), Long).WaitAsync(Soon);
    }

    [Fact]
    public async Task A_supervisor_should_be_settled_when_it_answers_and_stay_running()
    {
        var supervisor = CreateTestProbe();
        var settled = SupervisorSettlement.SettledAsync(supervisor.Ref, new KillForShutdown("agent stopped"), Long);
        supervisor.ExpectMsg<KillForShutdown>();
        Assert.False(settled.IsCompleted);

        supervisor.Reply(new TaskSettled("t1"));

        await settled.WaitAsync(Soon);
    }

    [Fact]
    public async Task A_silent_supervisor_should_be_given_up_after_the_timeout_without_a_fault()
    {
        var supervisor = CreateTestProbe();
        await SupervisorSettlement.SettledAsync(supervisor.Ref, new KillForShutdown("agent stopped"), TimeSpan.FromMilliseconds(200)).WaitAsync(Soon);
        supervisor.ExpectMsg<KillForShutdown>();
    }
}
