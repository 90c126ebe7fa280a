using DiSRouter.Agents.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// Builds the backend before the server takes requests, so that a missing checkpoint or API key stops the agent at
/// startup with its reason instead of failing the first request.
/// </summary>
internal sealed class BackendStartup(IChatBackend backend, IOptions<AgentOptions> options, ILogger<BackendStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (backend is IStartableBackend startable) await startable.StartAsync(cancellationToken);
        var o = options.Value;
        Log.AgentStarting(logger, o.Name, backend.ModelName, o.Cost, o.Backend,
            o.IsLast ? "none (last agent, always answers)" : string.Join(", ", o.Successors));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Healthy once the backend can serve; a local backend reports the checkpoint generation it serves, and is Degraded
/// (still HTTP 200, so the gateway keeps routing to it) while a changed checkpoint failed to load, with the reason:
/// the old model answers, and whoever watches the dashboard learns why the new one does not.
/// </summary>
internal sealed class BackendHealthCheck(IChatBackend backend) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(backend switch
        {
            LocalCheckpointBackend { IsLoaded: false } => HealthCheckResult.Unhealthy("no checkpoint loaded"),
            LocalCheckpointBackend { Status: { ReloadFailure: { } failed } status } => HealthCheckResult.Degraded(
                $"{backend.ModelName}: serving generation {status.Generation} of {status.Directory}; its changed checkpoint " +
                $"failed to load at {failed.At:u}: {failed.Reason}"),
            LocalCheckpointBackend local => HealthCheckResult.Healthy($"{backend.ModelName}: generation {local.Generation}"),
            _ => HealthCheckResult.Healthy(backend.ModelName),
        });
}
