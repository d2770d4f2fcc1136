using System.Net;
using System.Net.Sockets;

namespace Scheduler.TestKit;

/// <summary>Ports for nodes that must be known before they start (seed nodes, a restarted server).</summary>
public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 now (the OS picks it; it is released again for the caller to bind).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
