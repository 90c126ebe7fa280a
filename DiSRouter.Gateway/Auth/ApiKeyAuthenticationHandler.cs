using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using DiSRouter.Gateway.Guard;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Auth;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;" against the configured keys (<see cref="ApiKeyStore"/>: hashed, compared in fixed
/// time, reloaded on change). The identity is a short fingerprint of the key (the rate-limit partition and what logs
/// show), never the key itself. Every failure counts against the caller's address (<see cref="FailedAuthThrottle"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    FailedAuthThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyIdClaim = "disrouter:key_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return Task.FromResult(AuthenticateResult.Fail("Missing API key: send 'Authorization: Bearer <key>'."));
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must use the Bearer scheme."));

        var presented = header["Bearer ".Length..].Trim();
        if (!keys.IsApiKey(presented))
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity([new Claim(KeyIdClaim, ApiKeyStore.Fingerprint(presented))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        throttle.RecordFailure(Context, result.Failure?.Message ?? "no key");
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(
            title: "Unauthorized",
            detail: result.Failure?.Message ?? "An API key is required.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }
}
