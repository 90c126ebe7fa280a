using System.Globalization;
using System.Threading.RateLimiting;
using DiSRouter.Gateway.Guard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Auth;

internal static class AuthExtensions
{
    public const string RateLimitPolicy = "per-key";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }

    /// <summary>A token bucket per API key; a refused request gets 429, a Retry-After header and a problem body.</summary>
    public static IServiceCollection AddPerKeyRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, http =>
            {
                var keyId = http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? "anonymous";
                var settings = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimit;
                return RateLimitPartition.GetTokenBucketLimiter(keyId, _ => BucketFor(settings));
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                // Counted every time, logged once per key and interval: a client far over its rate must not flood the log.
                var keyId = http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? "anonymous";
                http.RequestServices.GetRequiredService<GuardTelemetry>().Refused(StatusCodes.Status429TooManyRequests, "rate-limit");
                if (http.RequestServices.GetRequiredService<RepeatedLog>().ShouldLog("rate-limited", keyId, out var heldBack))
                    GuardLog.RateLimited(http.RequestServices.GetRequiredService<ILogger<GuardTelemetry>>(), keyId, seconds, heldBack);
                await TypedResults.Problem(
                    title: "Too Many Requests",
                    detail: $"The rate limit of this API key is exhausted; retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
            };
        });
        return services;
    }

    /// <summary>
    /// Refills in steps of about a tenth of a second (the limiter's timer should not tick every millisecond),
    /// so that the average rate is exact for any rate, fractional ones included.
    /// </summary>
    internal static TokenBucketRateLimiterOptions BucketFor(RateLimitSettings settings)
    {
        var tokensPerPeriod = Math.Max(1, (int)Math.Round(settings.RequestsPerSecond / 10));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / settings.RequestsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
