using DiSRouter.Gateway.Auth;
using DiSRouter.Gateway.Guard;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Gateway.Ledger;

/// <summary>
/// GET /admin/ledger: every key's charges, compute and budget, and the latest requests. Guarded by an admin key
/// (Gateway:AdminKeys, "Authorization: Bearer &lt;admin key&gt;"), which is never an API key; a wrong one counts
/// against the caller's address like any failed authentication.
/// </summary>
internal static class LedgerApi
{
    public const string Route = "/admin/ledger";

    public static WebApplication MapLedgerApi(this WebApplication app)
    {
        app.MapGet(Route, GetLedger).WithName("Ledger");
        return app;
    }

    public static Results<Ok<LedgerReport>, ProblemHttpResult> GetLedger(HttpContext http, CostLedger ledger, ApiKeyStore keys, FailedAuthThrottle throttle)
    {
        if (!keys.HasAdminKeys)
            return TypedResults.Problem(title: "Forbidden", statusCode: StatusCodes.Status403Forbidden,
                detail: "No admin key is configured (Gateway:AdminKeys): the ledger is closed.");
        string? header = http.Request.Headers.Authorization;
        var presented = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (presented is null || !keys.IsAdminKey(presented))
        {
            var reason = presented is null ? "Missing admin key: send 'Authorization: Bearer <admin key>'." : "The admin key is not valid.";
            throttle.RecordFailure(http, reason);
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(title: "Unauthorized", detail: reason, statusCode: StatusCodes.Status401Unauthorized);
        }
        return TypedResults.Ok(ledger.Report());
    }
}
