using System.Net;
using System.Net.Sockets;

namespace Scheduler.TestKit;

/// <summary>
/// A loopback TCP proxy in front of a server (one master's path to the shared database): <see cref="Cut"/> closes
/// every connection through it and refuses new ones, as a failed network path would, while the server itself and
/// every other path keep working; <see cref="Restore"/> opens the path again on the same port.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly object _gate = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    private TcpProxy(int targetPort, int port)
    {
        _targetPort = targetPort;
        Port = port;
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    public static TcpProxy Start(int targetPort)
    {
        var proxy = new TcpProxy(targetPort, LoopbackPorts.Free());
        proxy.Restore();
        return proxy;
    }

    /// <summary>Listens again and forwards new connections.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            _accepting = AcceptAsync(_listener);
        }
    }

    /// <summary>Stops listening (new connections are refused) and closes every open connection.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // cut
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var server = new TcpClient();
        lock (_gate)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            var up = client.GetStream().CopyToAsync(server.GetStream());
            var down = server.GetStream().CopyToAsync(client.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // the connection was cut, or one side closed it
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _accepting;
    }
}
