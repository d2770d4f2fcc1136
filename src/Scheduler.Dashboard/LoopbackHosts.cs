using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Scheduler.Dashboard;

/// <summary>
/// A dashboard bound to loopback answers only requests addressed to a loopback name (<c>localhost</c>, 127.0.0.1, ::1).
/// Against DNS rebinding: a site whose name an attacker points at 127.0.0.1 after the page loaded is the same origin
/// as this server to the operator's browser, so its script could read task logs and send pause with the action header.
/// Its requests carry the site's name in <c>Host</c>, and are refused here. A dashboard bound to another address is
/// reached by whatever names the operator gives the host; the operator guide says to put a proxy in front of it.
/// </summary>
public static class LoopbackHosts
{
    public static void Guard(WebApplication app, Uri url)
    {
        if (!IsLoopback(url.Host))
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            if (IsLoopback(context.Request.Host.Host))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(
                $"this dashboard listens on loopback and answers requests for localhost, 127.0.0.1 or [::1] only, not '{context.Request.Host.Host}'\n")
                .ConfigureAwait(false);
        });
    }

    /// <summary><c>localhost</c> or a loopback address (brackets of an IPv6 literal allowed).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
