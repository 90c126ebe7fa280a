using DiSRouter.Gateway.Auth;
using DiSRouter.Gateway.Forwarding;
using DiSRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway;

internal static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                if (configuration[GatewayOptions.ApiKeyVariable] is { Length: > 0 } key && !o.ApiKeys.Contains(key)) o.ApiKeys.Add(key);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();

        builder.Services.AddApiKeyAuthentication();
        builder.Services.AddPerKeyRateLimiting();
        builder.Services.AddProblemDetails();

        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddSingleton<Routing.ModelCatalog>();
        builder.Services.AddHttpClient<EntryAgentClient>();
        return builder;
    }

    /// <summary>Who may call, then how often: the rate limiter partitions by the key that authentication found.</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
