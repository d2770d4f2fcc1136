using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Scheduler.Client;
using Scheduler.Master;

namespace Scheduler.Dashboard;

/// <summary>
/// The dashboard of one master node: Kestrel serving the pages, the JSON API under <c>/api/</c> and the Prometheus
/// metrics at <c>/metrics</c>. It asks the node's own singleton proxy with the CLI's requests, so a standby master's
/// dashboard shows the same as the active one's.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SchedulerClient _client;

    private DashboardServer(WebApplication app, SchedulerClient client, Uri url)
    {
        _app = app;
        _client = client;
        Url = url;
    }

    /// <summary>The address it listens on (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts the dashboard at <paramref name="url"/>, asking the master node's current ActorSystem
    /// (<paramref name="system"/>). A port in use (several masters on one host) logs one warning and answers null:
    /// the master runs on without a dashboard.
    /// </summary>
    public static async Task<DashboardServer?> StartAsync(Uri url, Func<ActorSystem> system, string node)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MasterMetrics.MeterName, AgentMeterName)
            .AddPrometheusExporter());
        var app = builder.Build();
        var client = SchedulerClient.InsideMasterNode(system, new SchedulerClientOptions([node]));
        DashboardApi.Map(app, client);
        DashboardPages.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Serilog.Log.Warning("Dashboard not started: {Url} cannot be bound ({Error}); the master runs without it. Set "
                                + "scheduler.master.dashboard.url (or --dashboard) to another port, or off", url, e.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var server = new DashboardServer(app, client, bound is null ? url : new Uri(bound));
        Serilog.Log.Information("Dashboard at {Url} (JSON API /api/, metrics /metrics)", server.Url);
        return server;
    }

    /// <summary>The name of the agents' meter (Scheduler.Agent's); a standalone node exports both.</summary>
    public const string AgentMeterName = "Scheduler.Agent";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
    }
}
