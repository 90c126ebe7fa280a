using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace DiSRouter.Gateway.Health;

/// <summary>
/// The gateway's readiness as the cascade sees it, from YARP's view of every agent's replicas (active probes of their
/// /health and passive watch of failed requests): Healthy when every agent has a replica that can take requests,
/// Degraded when some agents are down (answers come, at a higher cost or marked degraded), Unhealthy when the entry
/// agent is down or none is up (no request can be answered). Registered without the "live" tag, so /alive still says
/// only that the process runs, while /health (which the AppHost and its dashboard watch) says whether it can serve.
/// </summary>
internal sealed class CascadeHealthCheck(IProxyStateLookup proxy, IOptionsMonitor<GatewayOptions> options) : IHealthCheck
{
    public const string Name = "cascade";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.CurrentValue;
        var agents = o.Agents.Append(o.EntryAgent).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var data = new Dictionary<string, object>();
        var down = new List<string>();
        foreach (var agent in agents)
        {
            var (up, total) = Replicas(agent);
            data[agent] = total == 0 ? "no replica known (service discovery has not resolved it)" : $"{up}/{total} replicas available";
            if (up == 0) down.Add(agent);
        }

        HealthCheckResult result;
        if (down.Contains(o.EntryAgent, StringComparer.OrdinalIgnoreCase))
            result = HealthCheckResult.Unhealthy($"The entry agent {o.EntryAgent} has no available replica: no request can be answered.", data: data);
        else if (down.Count == agents.Count)
            result = HealthCheckResult.Unhealthy("No agent has an available replica.", data: data);
        else if (down.Count > 0)
            result = HealthCheckResult.Degraded(
                $"Down: {string.Join(", ", down)} ({agents.Count - down.Count} of {agents.Count} agents up); answers skip them and may be marked degraded.", data: data);
        else
            result = HealthCheckResult.Healthy($"All {agents.Count} agents have an available replica.", data);
        return Task.FromResult(result);
    }

    /// <summary>Replicas YARP would send to (healthy or not yet probed), and all it knows of.</summary>
    private (int Up, int Total) Replicas(string agent)
    {
        if (!proxy.TryGetCluster(agent, out var cluster)) return (0, 0);
        var all = cluster.Destinations.Values;
        var up = all.Count(d => d.Health.Active != DestinationHealth.Unhealthy && d.Health.Passive != DestinationHealth.Unhealthy);
        return (up, all.Count);
    }
}
