using System.Net;
using Microsoft.Extensions.ServiceDiscovery;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// Turns a successor entry into the address to call. A service name ("agent-2") is resolved by
/// Microsoft.Extensions.ServiceDiscovery (<c>services:agent-2:http:0</c>, <c>:1</c>, … taken in turn, so replicas share
/// the work); an absolute http(s) URL is called as is. Null when a name has no address in configuration: the services'
/// defaults also register discovery's pass-through provider (for hosted endpoints), which would turn an unconfigured
/// name into a DNS lookup of "agent-2" and hide the missing key behind "Name or service not known".
/// </summary>
internal sealed class SuccessorResolver(ServiceEndpointResolver discovery, IConfiguration configuration)
{
    private int _turn;

    public async Task<Uri?> ResolveAsync(string successor, CancellationToken ct)
    {
        if (Uri.TryCreate(successor, UriKind.Absolute, out var direct) && direct.Scheme is "http" or "https") return direct;
        if (!configuration.GetSection($"services:{successor}").Exists()) return null;
        try
        {
            var source = await discovery.GetEndpointsAsync($"http://{successor}", ct);
            if (source.Endpoints.Count == 0) return null;
            var endpoint = source.Endpoints[(int)((uint)Interlocked.Increment(ref _turn) % source.Endpoints.Count)].EndPoint;
            return endpoint switch
            {
                UriEndPoint u => u.Uri,
                IPEndPoint ip => new Uri($"http://{ip}/"),
                DnsEndPoint dns => new Uri($"http://{dns.Host}:{dns.Port}/"),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null; // no provider knows the name
        }
    }

    public static string KeyFor(string successor) => $"services:{successor}:http:0";
}
