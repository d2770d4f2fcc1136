using Akka.Configuration;
using Scheduler.Core.Configuration;

namespace Scheduler.Dashboard.Tests;

public sealed class DashboardSettingsSpecs
{
    [Fact]
    public void Defaults_should_serve_the_dashboard_on_loopback_8053_and_no_agent_metrics()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8053"), DashboardSettings.Create(ConfigurationFactory.Empty).Url);
        Assert.Null(DashboardSettings.Create(Scheduler.Agent.AgentSettings.DefaultConfig, key: DashboardSettings.AgentMetricsUrlKey).Url);
    }

    [Theory]
    [InlineData("off", null)]
    [InlineData("OFF", null)]
    [InlineData("http://0.0.0.0:9000", "http://0.0.0.0:9000/")]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0/")]
    [InlineData("http://localhost:8053", "http://localhost:8053/")]
    [InlineData("http://[::1]:8053", "http://[::1]:8053/")]
    public void Url_should_be_off_or_http_with_a_port(string value, string? expected) =>
        Assert.Equal(expected, DashboardSettings.Create(ConfigurationFactory.ParseString($"scheduler.master.dashboard.url = \"{value}\""))
            .Url?.ToString());

    [Theory]
    [InlineData("https://127.0.0.1:8053")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:8053/dash")]
    [InlineData("8053")]
    [InlineData("http://dashboard.example:8053")] // Kestrel would listen on every interface for a name
    public void Anything_else_should_fail_naming_the_key(string value)
    {
        var error = Assert.Throws<SettingsException>(() =>
            DashboardSettings.Create(ConfigurationFactory.ParseString($"scheduler.master.dashboard.url = \"{value}\""), "node.conf"));
        Assert.StartsWith("node.conf: scheduler.master.dashboard.url", error.Message);
    }
}
