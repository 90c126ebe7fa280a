using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Auth;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;" against the configured keys. The identity is a short fingerprint of the key
/// (the rate-limit partition and what logs show), never the key itself.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<GatewayOptions> gatewayOptions)
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
        if (!IsKnown(presented, gatewayOptions.CurrentValue.ApiKeys))
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity([new Claim(KeyIdClaim, Fingerprint(presented))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(
            title: "Unauthorized",
            detail: result.Failure?.Message ?? "An API key is required.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    /// <summary>Hash then compare in fixed time, so neither the length nor a prefix of a key leaks through timing.</summary>
    private static bool IsKnown(string presented, IReadOnlyList<string> keys)
    {
        Span<byte> presentedHash = stackalloc byte[32];
        Span<byte> keyHash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), presentedHash);
        var found = false;
        foreach (var key in keys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), keyHash);
            found |= CryptographicOperations.FixedTimeEquals(presentedHash, keyHash);
        }
        return found;
    }

    internal static string Fingerprint(string key) =>
        "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 4));
}
