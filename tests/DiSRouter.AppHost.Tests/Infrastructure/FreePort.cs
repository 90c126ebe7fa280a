using System.Net;
using System.Net.Sockets;

namespace DiSRouter.AppHost.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A loopback port nothing listens on now (the OS's pick), for a server that must be told its port.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
