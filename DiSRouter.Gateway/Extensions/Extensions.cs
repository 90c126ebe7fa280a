using DiSRouter.Gateway.Apis;
using DiSRouter.Gateway.Auth;
using DiSRouter.Gateway.Bids;
using DiSRouter.Gateway.Forwarding;
using DiSRouter.Gateway.Guard;
using DiSRouter.Gateway.Health;
using DiSRouter.Gateway.Ledger;
using DiSRouter.Gateway.Routing;
using DiSRouter.Gateway.SelfRoute;
using DiSRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace DiSRouter.Gateway;

internal static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddKeysFile();
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                if (configuration[GatewayOptions.ApiKeyVariable] is { Length: > 0 } key && !o.ApiKeys.Contains(key)) o.ApiKeys.Add(key);
                o.Ledger.Directory ??= Path.Combine(builder.Environment.ContentRootPath, "data", "ledger");
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();

        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddApiKeyAuthentication();
        builder.Services.AddPerKeyRateLimiting();
        builder.Services.AddProblemResponses();

        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddSingleton<GuardTelemetry>();
        builder.Services.AddSingleton<RepeatedLog>();
        builder.Services.AddSingleton<FailedAuthThrottle>();
        builder.Services.AddSingleton<CostLedger>();
        builder.Services.AddHostedService<LedgerWriter>();
        builder.Services.AddHealthChecks().AddCheck<CascadeHealthCheck>(CascadeHealthCheck.Name).AddCheck<SelfRouteHealthCheck>(SelfRouteHealthCheck.Name);
        builder.Services.AddSingleton<SelfRouteService>();
        builder.Services.AddHostedService<SelfRouteChecker>();
        builder.Services.AddHttpClient(SelfRouteService.HttpClientName);
        builder.Services.AddSingleton<BidsService>();
        builder.Services.AddHttpClient(BidsService.HttpClientName);
        builder.Services.AddSingleton<Routing.ModelCatalog>();
        builder.Services.AddSingleton<GatewayServices>();

        // YARP in front of the agents: routes and clusters from the gateway's settings, replicas from service discovery.
        // WHY the real discovery here: YARP's destination resolver needs Microsoft.Extensions.ServiceDiscovery.
        var gateway = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddServiceDiscoveryCore();
        builder.Services.AddConfigurationServiceEndpointProvider();
        builder.Services.AddPassThroughServiceEndpointProvider();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(AgentClusters.Routes(gateway), AgentClusters.Clusters(gateway))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(t =>
            {
                t.AddResponseTransform(AgentFailureTransform.ExplainAsync);
                t.AddResponseTransform(DegradedAnswerTransform.ApplyAsync);
                t.AddResponseTransform(RouterMetadataTransform.ApplyAsync);
            });
        builder.Services.Configure<Yarp.ReverseProxy.Health.TransportFailureRateHealthPolicyOptions>(o =>
            o.MinimalTotalCountThreshold = gateway.Health.MinimumRequests);
        return builder;
    }

    /// <summary>
    /// Every error a problem; an address that failed to authenticate too often refused before its key is looked at;
    /// then who may call, then how often: the rate limiter partitions by the key that authentication found.
    /// </summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseProblemResponses();
        app.Use(app.Services.GetRequiredService<FailedAuthThrottle>().GuardAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
