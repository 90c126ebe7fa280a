using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DiSRouter.ServiceDefaults.Telemetry;

/// <summary>
/// Builds the OpenTelemetry tracer and meter providers with the SDK's builders and lets the host own them.
/// ASP.NET Core and HttpClient emit activities and meters natively, so listening to their sources is all the
/// instrumentation needed (https://learn.microsoft.com/dotnet/core/diagnostics/built-in-metrics-aspnetcore).
/// </summary>
internal static class TelemetrySetup
{
    /// <summary>Every DiSRouter component names its ActivitySource and Meter "DiSRouter.{Component}".</summary>
    public const string DiSRouterSources = "DiSRouter.*";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration, string applicationName)
    {
        var serviceName = ServiceName(configuration, applicationName);
        var useOtlp = UseOtlpExporter(configuration);

        services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService(serviceName))
                .AddSource("Microsoft.AspNetCore", "System.Net.Http", applicationName, DiSRouterSources);
            if (useOtlp) tracing.AddOtlpExporter();
            return tracing.Build();
        });
        services.AddSingleton(_ =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService(serviceName))
                .AddMeter("Microsoft.AspNetCore.*", "System.Net.Http", "System.Runtime", applicationName, DiSRouterSources);
            if (useOtlp) metrics.AddOtlpExporter();
            return metrics.Build();
        });
        services.AddHostedService<TelemetryProvidersHost>();
        return services;
    }

    public static ILoggingBuilder AddTelemetry(this ILoggingBuilder logging, IConfiguration configuration, string applicationName)
    {
        var serviceName = ServiceName(configuration, applicationName);
        var useOtlp = UseOtlpExporter(configuration);
        logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
            if (useOtlp) o.AddOtlpExporter();
        });
        return logging;
    }

    /// <summary>OTEL_SERVICE_NAME (the AppHost sets it to "agent-2", "gateway") wins over the assembly name.</summary>
    private static string ServiceName(IConfiguration configuration, string applicationName) =>
        configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : applicationName;

    private static bool UseOtlpExporter(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}

/// <summary>
/// Resolving the providers at start switches the listeners on; the container disposes them at shutdown, which
/// flushes the exporters. (Registered-instance singletons would not be disposed, hence the factories above.)
/// </summary>
internal sealed class TelemetryProvidersHost(TracerProvider tracing, MeterProvider metrics) : IHostedService
{
    public TracerProvider Tracing { get; } = tracing;
    public MeterProvider Metrics { get; } = metrics;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
