using Akka.Configuration;
using Scheduler.Core.Configuration;
using Scheduler.Master;

namespace Scheduler.Dashboard;

/// <summary>
/// <c>scheduler.master.dashboard.url</c> (or an agent's <c>scheduler.agent.metrics.url</c>): where the dashboard
/// listens, or null when it is off.
/// </summary>
public sealed record DashboardSettings(Uri? Url)
{
    public const string UrlKey = "scheduler.master.dashboard.url";

    public const string AgentMetricsUrlKey = "scheduler.agent.metrics.url";

    public static DashboardSettings Off { get; } = new((Uri?)null);

    /// <param name="config">A master's settings (the master's reference.conf is the fallback), or an agent's with its own.</param>
    /// <param name="key"><see cref="UrlKey"/> or <see cref="AgentMetricsUrlKey"/>.</param>
    public static DashboardSettings Create(Config config, string origin = "configuration", string key = UrlKey)
    {
        var r = new HoconReader(config.WithFallback(MasterSettings.DefaultConfig), origin);
        return Parse(r.String(key)) ?? throw r.Invalid(key, Expected);
    }

    /// <summary>What <see cref="Parse"/> takes, in the words of its errors.</summary>
    public const string Expected = "off or an http:// URL with an IP address (or localhost) and a port, e.g. http://127.0.0.1:8053 " +
        "(a host name would make the web server listen on every interface; http://0.0.0.0:PORT does that on purpose)";

    /// <summary>
    /// <c>off</c> or <c>http://ADDRESS:PORT</c> (port 0: any free port); null when it is neither (the command line's
    /// <c>--dashboard</c> too). A host name other than <c>localhost</c> is refused: Kestrel binds an IP address or
    /// localhost, and any other name on every interface, where an operator who named this host's address meant one.
    /// </summary>
    public static DashboardSettings? Parse(string value)
    {
        if (value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return Off;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url)
               && url.Scheme == Uri.UriSchemeHttp
               && (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || LoopbackHosts.IsLoopback(url.Host))
               && value.Contains($":{url.Port}", StringComparison.Ordinal)
               && url.AbsolutePath == "/"
            ? new DashboardSettings(url)
            : null;
    }
}
