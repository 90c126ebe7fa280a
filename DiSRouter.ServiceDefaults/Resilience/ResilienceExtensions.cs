using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DiSRouter.ServiceDefaults.Resilience;

internal static class ResilienceExtensions
{
    public static IServiceCollection AddHttpResilience(this IServiceCollection services)
    {
        services.AddOptions<HttpResilienceOptions>().BindConfiguration(HttpResilienceOptions.SectionName);
        services.TryAddSingleton<ResiliencePipelines>();
        services.TryAddTransient<ResilienceHandler>();
        // The pipeline owns timeouts; HttpClient's own 100 s default would cut a long cascade short underneath it.
        services.ConfigureHttpClientDefaults(http => http.ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan));
        return services;
    }
}
