using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every DiSRouter service shares: OpenTelemetry, health endpoints, service discovery and resilient HTTP.
/// Lives in Microsoft.Extensions.Hosting (as Aspire's ServiceDefaults do) so that callers need no using.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Every DiSRouter component names its ActivitySource and Meter "DiSRouter.{Component}".</summary>
    public const string DiSRouterTelemetry = "DiSRouter.*";

    /// <summary>Configuration section that overrides the HTTP resilience defaults below (Aspire's option names).</summary>
    public const string ResilienceSection = "HttpResilience";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Resilience outside discovery: it sees the logical name ("agent-2") and keys its circuit breaker by it;
            // discovery below turns the name into an address on every attempt (and takes the replicas in turn).
            http.AddStandardResilienceHandler(CascadeTimeouts)
                .Configure(options => builder.Configuration.GetSection(ResilienceSection).Bind(options))
                .SelectPipelineByAuthority();
            http.AddServiceDiscovery();
            // The resilience handler owns the timeouts; HttpClient's own 100 s default would cut a long cascade short.
            http.ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        });
        return builder;
    }

    /// <summary>
    /// A call to an agent covers its model's reply and the rest of the cascade behind it: a slow local model on a CPU
    /// takes tens of seconds, so the standard 10 s attempt and 30 s total would cut answers off. The agents bound each
    /// successor call themselves (Agent:ForwardTimeoutSeconds, 300 s); these are the outer limits.
    /// </summary>
    private static void CascadeTimeouts(HttpStandardResilienceOptions options)
    {
        options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
        options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
        // The standard handler requires a window of at least two attempts.
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(4);
        // A POST to an agent may already have run its model (seconds of compute, or a paid hosted call) before the
        // failure showed, so it is never sent twice: the cascade skips a dead agent through its successor list instead.
        options.Retry.DisableForUnsafeHttpMethods();
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(builder.Environment.ApplicationName, DiSRouterTelemetry))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, DiSRouterTelemetry)
                // Health probes are polled every few seconds by the AppHost: keep them out of traces
                // to avoid filling the dashboard with noise.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The AppHost sets OTEL_EXPORTER_OTLP_ENDPOINT to its dashboard; a service started alone exports nothing.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
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
        // Mapped in every environment (unlike Aspire's template): the AppHost gates start-up on /health, and the
        // container platform probes it in Azure.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live"), ResponseWriter = HealthReportWriter.WriteAsync });
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}
