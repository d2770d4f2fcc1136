using Scheduler.Core.Agents;
using static Scheduler.Core.Tests.Fixtures;

namespace Scheduler.Core.Tests;

public sealed class RegistrationSpecs
{
    private static readonly TimeSpan UnreachableAfter = TimeSpan.FromSeconds(10);
    private static readonly SessionFacts Current = new("j1", 5, T0);

    [Fact]
    public void Decide_should_accept_when_no_session()
    {
        Assert.Equal(RegistrationDecision.Accept, Registration.Decide(null, "j1", 1, T0, UnreachableAfter));
    }

    [Theory]
    [InlineData(6, RegistrationDecision.Accept)]
    [InlineData(5, RegistrationDecision.Repeat)]
    [InlineData(4, RegistrationDecision.Stale)]
    public void Decide_should_compare_incarnations_of_the_same_journal(long incarnation, RegistrationDecision expected)
    {
        Assert.Equal(expected, Registration.Decide(Current, "j1", incarnation, T0.AddSeconds(1), UnreachableAfter));
    }

    [Fact]
    public void Decide_should_refuse_another_journal_while_holder_is_live()
    {
        Assert.Equal(RegistrationDecision.Refuse, Registration.Decide(Current, "j2", 99, T0.AddSeconds(1), UnreachableAfter));
        Assert.Equal(RegistrationDecision.Refuse, Registration.Decide(Current, "j2", 99, T0 + UnreachableAfter, UnreachableAfter));
    }

    [Fact]
    public void Decide_should_accept_another_journal_after_silence_longer_than_unreachable_after()
    {
        var now = T0 + UnreachableAfter + TimeSpan.FromMilliseconds(1);

        Assert.Equal(RegistrationDecision.Accept, Registration.Decide(Current, "j2", 1, now, UnreachableAfter));
    }
}
