using System.Net;
using System.Net.Sockets;

namespace Scheduler.TestKit;

/// <summary>Ports for nodes that must be known before they start (seed nodes, a restarted server).</summary>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>
    /// A port free on 127.0.0.1 now, released again for the caller to bind. Picked below the kernel's ephemeral range
    /// when there is room: a port from that range can be taken by any outgoing connection (a client's local port) while
    /// its node is down, and a master restarted on it then failed to bind (seen once in the hand-over benchmark).
    /// </summary>
    public static int Free()
    {
        var ephemeralStart = EphemeralRangeStart();
        for (var attempt = 0; ephemeralStart - Lowest > 1_000 && attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(Lowest, ephemeralStart);
            if (TryBind(port))
            {
                return port;
            }
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var given = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return given;
    }

    private static bool TryBind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's default 32768 if it cannot be read).</summary>
    public static int EphemeralRangeStart()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
