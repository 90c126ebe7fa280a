using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiSRouter.AppHost.Health;

internal static class GatewayHealthExtensions
{
    /// <summary>
    /// The gateway's health in the app model (and the dashboard) follows the status its /health reports, Degraded
    /// included, instead of its HTTP status code alone (see <see cref="GatewayHealthCheck"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGatewayHealthCheck(this IResourceBuilder<ProjectResource> gateway, string path)
    {
        Uri? uri = null;
        gateway.OnBeforeResourceStarted((_, _, _) =>
        {
            uri = new Uri(new Uri(gateway.GetEndpoint("http").Url), path);
            return Task.CompletedTask;
        });
        var key = $"{gateway.Resource.Name}_cascade_check";
        // Polled every few seconds for as long as the network runs: its requests are not worth a log line each.
        gateway.ApplicationBuilder.Services.AddHttpClient(GatewayHealthCheck.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();
        gateway.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key,
            sp => new GatewayHealthCheck(() => uri, sp.GetRequiredService<IHttpClientFactory>()), HealthStatus.Unhealthy, tags: null));
        return gateway.WithHealthCheck(key);
    }
}
