using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Scheduler.Client;

namespace Scheduler.Dashboard;

/// <summary>
/// The dashboard of one master node: Kestrel serving the pages, the JSON API under <c>/api/</c> and the Prometheus
/// metrics at <c>/metrics</c>. It asks the node's own singleton proxy with the CLI's requests, so a standby master's
/// dashboard shows the same as the active one's. An agent may serve <c>/metrics</c> alone (<see cref="StartMetricsAsync"/>).
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SchedulerClient? _client;

    private DashboardServer(WebApplication app, SchedulerClient? client, Uri url)
    {
        _app = app;
        _client = client;
        Url = url;
    }

    /// <summary>The address it listens on (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts the dashboard at <paramref name="url"/>, asking the master node's current ActorSystem
    /// (<paramref name="system"/>, reached at <paramref name="node"/>) and exporting <paramref name="meters"/> at
    /// <c>/metrics</c>. A port in use (several masters on one host) logs one warning and answers null: the master runs
    /// on without a dashboard.
    /// </summary>
    public static Task<DashboardServer?> StartAsync(Uri url, Func<ActorSystem> system, string node, params string[] meters)
    {
        var client = SchedulerClient.InsideMasterNode(system, new SchedulerClientOptions([node]));
        return StartAsync("Dashboard", url, meters, client, app =>
        {
            DashboardApi.Map(app, client);
            DashboardPages.Map(app);
        });
    }

    /// <summary>Only <c>/metrics</c> of <paramref name="meters"/> (an agent's <c>scheduler.agent.metrics.url</c>); null when the port is in use.</summary>
    public static Task<DashboardServer?> StartMetricsAsync(Uri url, params string[] meters) =>
        StartAsync("Metrics endpoint", url, meters, null, _ => { });

    private static async Task<DashboardServer?> StartAsync(string what, Uri url, string[] meters, SchedulerClient? client, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The node handles SIGINT/SIGTERM (a graceful stop) and SIGQUIT; the web host's default console lifetime would
        // take those signals over and stop only the dashboard.
        builder.Services.AddSingleton<IHostLifetime, NodeOwnedLifetime>();
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(meters).AddPrometheusExporter());
        var app = builder.Build();
        LoopbackHosts.Guard(app, url);
        map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // In use (IOException), not ours to bind (EACCES, an address not on this host: SocketException) or any other
            // failure: a warning, never a failed node.
            Serilog.Log.Warning("{What} not started: {Url} cannot be bound ({Error}); the node runs without it", what, url, e.GetBaseException().Message);
            await app.DisposeAsync().ConfigureAwait(false);
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var server = new DashboardServer(app, client, bound is null ? url : new Uri(bound));
        Serilog.Log.Information("{What} at {Url}", what, server.Url);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A host lifetime that leaves the process's signals to the node.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
