using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Core.Tests;

public sealed class DurationsSpecs
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10", 10_000)]
    [InlineData(" 7 seconds ", 7_000)]
    [InlineData("3 Minutes", 180_000)]
    [InlineData("0s", 0)]
    public void TryParse_should_read_operator_forms(string text, long expectedMs)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("-5s")]
    [InlineData("1,5s")]
    [InlineData("5 m s")]
    [InlineData(".5s")]
    public void TryParse_should_reject_bad_input(string text)
    {
        Assert.False(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void TryParse_should_refuse_a_duration_beyond_TimeSpan_without_throwing() =>
        Assert.False(Durations.TryParse("99999999999d", out _));

    [Theory]
    [InlineData(1_500, "1500ms")]
    [InlineData(90_000, "90s")]
    [InlineData(300_000, "5m")]
    [InlineData(7_200_000, "2h")]
    [InlineData(172_800_000, "48h")]
    public void Format_should_write_the_shortest_exact_form(long ms, string expected)
    {
        var value = TimeSpan.FromMilliseconds(ms);

        Assert.Equal(expected, Durations.Format(value));
        Assert.True(Durations.TryParse(Durations.Format(value), out var back));
        Assert.Equal(value, back);
    }
}

public sealed class HoconReaderSpecs
{
    private static HoconReader Reader(string hocon) => new(ConfigurationFactory.ParseString(hocon), "f.conf");

    [Fact]
    public void Duration_should_read_a_duration()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), Reader("scheduler.x = 500ms").Duration("scheduler.x"));
    }

    [Fact]
    public void Duration_should_reject_invalid_values_naming_origin_key_and_expected_form()
    {
        var e = Assert.Throws<SettingsException>(() => Reader("scheduler.x = abc").Duration("scheduler.x"));

        Assert.Equal("f.conf: scheduler.x = abc is invalid; expected a duration such as 500ms, 10s or 5m", e.Message);
    }

    [Fact]
    public void Duration_should_reject_missing_and_zero_unless_allowed()
    {
        var missing = Assert.Throws<SettingsException>(() => Reader("scheduler.y = 1s").Duration("scheduler.x"));
        var zero = Assert.Throws<SettingsException>(() => Reader("scheduler.x = 0s").Duration("scheduler.x"));

        Assert.Equal("f.conf: scheduler.x = (missing) is invalid; expected a duration such as 500ms, 10s or 5m", missing.Message);
        Assert.Equal("f.conf: scheduler.x = 0s is invalid; expected a duration such as 500ms, 10s or 5m", zero.Message);
        Assert.Equal(TimeSpan.Zero, Reader("scheduler.x = 0s").Duration("scheduler.x", allowZero: true));
    }

    [Fact]
    public void Duration_should_reject_infinite()
    {
        var e = Assert.Throws<SettingsException>(() => Reader("scheduler.x = infinite").Duration("scheduler.x"));

        Assert.Equal("f.conf: scheduler.x = infinite is invalid; expected a duration such as 500ms, 10s or 5m", e.Message);
    }

    [Fact]
    public void DurationOrInfinite_should_read_infinite_as_null()
    {
        Assert.Null(Reader("scheduler.x = infinite").DurationOrInfinite("scheduler.x"));
        Assert.Null(Reader("scheduler.x = INFINITE").DurationOrInfinite("scheduler.x"));
        Assert.Equal(TimeSpan.FromMinutes(5), Reader("scheduler.x = 5m").DurationOrInfinite("scheduler.x"));
    }

    [Fact]
    public void DurationOrInfinite_should_name_infinite_in_its_expected_form()
    {
        var e = Assert.Throws<SettingsException>(() => Reader("scheduler.x = forever").DurationOrInfinite("scheduler.x"));

        Assert.Equal("f.conf: scheduler.x = forever is invalid; expected a duration such as 10s or 5m, or infinite", e.Message);
    }

    [Fact]
    public void Int_should_check_its_range()
    {
        Assert.Equal(5, Reader("scheduler.n = 5").Int("scheduler.n", 1, 10));
        var e = Assert.Throws<SettingsException>(() => Reader("scheduler.n = 11").Int("scheduler.n", 1, 10));

        Assert.Equal("f.conf: scheduler.n = 11 is invalid; expected a whole number from 1 to 10", e.Message);
    }

    [Fact]
    public void String_should_reject_empty_unless_allowed()
    {
        Assert.Equal("hi", Reader("scheduler.s = hi").String("scheduler.s"));
        Assert.Equal("", Reader("scheduler.t = 1").String("scheduler.s", allowEmpty: true));
        var e = Assert.Throws<SettingsException>(() => Reader("scheduler.s = \"\"").String("scheduler.s"));

        Assert.Equal("f.conf: scheduler.s =  is invalid; expected a non-empty string", e.Message);
    }

    [Fact]
    public void StringList_should_read_lists_and_default_to_empty()
    {
        Assert.Equal(["a", "b"], Reader("scheduler.l = [a, b]").StringList("scheduler.l"));
        Assert.Empty(Reader("scheduler.m = 1").StringList("scheduler.l"));
    }
}

public sealed class HostPortSpecs
{
    [Theory]
    [InlineData("localhost:4053", "localhost", 4053)]
    [InlineData("10.0.0.1:1", "10.0.0.1", 1)]
    [InlineData("h:65535", "h", 65535)]
    public void TryParse_should_read_host_and_port(string text, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, out var value));
        Assert.Equal(new HostPort(host, port), value);
        Assert.Equal(text, value.ToString());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData(":4053")]
    [InlineData("h:")]
    [InlineData("h:0")]
    [InlineData("h:65536")]
    [InlineData("h:+80")]
    [InlineData("h:8o")]
    [InlineData("")]
    public void TryParse_should_reject_bad_input(string text)
    {
        Assert.False(HostPort.TryParse(text, out var value));
        Assert.Equal(default, value);
    }

    [Fact]
    public void ReceptionistPath_should_address_the_receptionist()
    {
        Assert.Equal("akka.tcp://scheduler@m1:4053/system/receptionist", new HostPort("m1", 4053).ReceptionistPath("scheduler"));
    }

    [Theory]
    [InlineData(850, "850ms")]
    [InlineData(4_240, "4.2s")]
    [InlineData(303_000, "5m3s")]
    [InlineData(7_500_000, "2h5m")]
    public void Describe_should_write_measured_durations_for_people(long milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Describe(TimeSpan.FromMilliseconds(milliseconds)));
}
