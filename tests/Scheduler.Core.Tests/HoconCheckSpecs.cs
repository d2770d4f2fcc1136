using Scheduler.Core.Configuration;

namespace Scheduler.Core.Tests;

public sealed class HoconCheckSpecs
{
    [Theory]
    [InlineData("scheduler { heartbeat-interval = 1s\n", "line 1: '{' is never closed")]
    [InlineData("a = 1\nb = [1, 2\n", "line 2: '[' is never closed")]
    [InlineData("a = 1s }\n", "line 1: '}' without a matching '{'")]
    [InlineData("a = [1, 2}\n", "line 1: '}' without a matching '{'")]
    [InlineData("a = 1\nb = \"open\n", "line 2: unterminated string")]
    [InlineData("a = \"\"\"never closed\n", "line 1: unterminated \"\"\" string")]
    [InlineData("X\nscheduler.a = 1\n", "'X scheduler' is not a key (a word without a value before it?)")]
    [InlineData("a = 1\nX\n", "'X' has no value")]
    [InlineData("scheduler.agent.kill-grace =\n", "'scheduler.agent.kill-grace' has no value")]
    [InlineData("a = ${nope}\n", "Unresolved substitution: nope")]
    public void Problem_should_name_the_first_mistake(string text, string problem) =>
        Assert.Equal(problem, HoconCheck.Problem(text));

    [Theory]
    [InlineData("scheduler {\n  # a comment with { and \"\n  heartbeat-interval = 1s // and } here\n  labels = []\n  name = \"a } b\"\n}\n")]
    [InlineData("akka.actor.serialization-bindings { \"A, B\" = x }\nmsg = \"\"\"multi\nline { \"\"\"\n")]
    [InlineData("a.b.c = 5m\nd = [\"x\", \"y\"]\ne { f = off }\n")]
    [InlineData("")]
    public void Problem_should_be_null_for_well_formed_files(string text) =>
        Assert.Null(HoconCheck.Problem(text));
}
