using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiSRouter.Gateway.SelfRoute;

/// <summary>
/// The Self-Route mode's part of /health: Degraded with the reason when it is configured but cannot serve (the router
/// file missing, unreadable or stale against the served agents' weights); Healthy when it serves or is not configured.
/// Never Unhealthy: the cascade still answers every other alias.
/// </summary>
internal sealed class SelfRouteHealthCheck(SelfRouteService selfRoute) : IHealthCheck
{
    public const string Name = "self-route";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = await selfRoute.StateAsync(cancellationToken);
        if (!state.Configured) return HealthCheckResult.Healthy("Self-Route is not configured (Gateway:SelfRoute:RouterFile).");
        return state.Problem is { } problem
            ? HealthCheckResult.Degraded(problem)
            : HealthCheckResult.Healthy($"Self-Route serves from {state.Path} over {string.Join(", ", state.Members.Select(m => $"{m.Agent} ({state.File!.Agents[m.Index].Name})"))}.");
    }
}
