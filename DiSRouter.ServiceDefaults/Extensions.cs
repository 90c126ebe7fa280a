using DiSRouter.ServiceDefaults.Lifetime;
using DiSRouter.ServiceDefaults.Resilience;
using DiSRouter.ServiceDefaults.ServiceDiscovery;
using DiSRouter.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every DiSRouter service shares: telemetry, health endpoints, service discovery and resilient HTTP.
/// Lives in Microsoft.Extensions.Hosting (as Aspire's ServiceDefaults do) so that callers need no using.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.AddHttpResilience();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Outer to inner: resilience sees the logical name ("agent-2") and keys its circuit breaker by it;
            // discovery below it turns the name into the configured URL on every attempt.
            http.AddHttpMessageHandler<ResilienceHandler>();
            http.AddHttpMessageHandler<ServiceDiscoveryHandler>();
        });

        builder.Services.AddParentProcessWatch();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // OpenTelemetry.Extensions.Hosting is not restorable here, so the SDK's own builders make the providers
        // and the host owns (and disposes, flushing exporters) them; see Telemetry/TelemetrySetup.cs.
        builder.Services.AddTelemetry(builder.Configuration, builder.Environment.ApplicationName);
        builder.Logging.AddTelemetry(builder.Configuration, builder.Environment.ApplicationName);
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // "live" marks the checks that say the process runs at all; /health runs every check (ready to serve).
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health probes are polled every few hundred milliseconds by the AppHost: keep them out of traces
        // to avoid filling the dashboard with noise.
        app.UseMiddleware<UntracedPathsMiddleware>();

        // Mapped in every environment (unlike Aspire's template): the AppHost gates start-up on them.
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}
