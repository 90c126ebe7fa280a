using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiSRouter.AppHost.Health;

/// <summary>
/// The gateway's health as its own /health reports it: Healthy, Degraded (some agents down: answers still come, skipping
/// them) or Unhealthy (no request can be answered). Aspire's HTTP health check reads only the status code, and a Degraded
/// gateway answers 200, so the dashboard showed it Healthy with agents down; this check asks for the JSON report and
/// passes its status and reason on to the app model.
/// </summary>
internal sealed class GatewayHealthCheck(Func<Uri?> healthUri, IHttpClientFactory httpClients) : IHealthCheck
{
    public const string HttpClientName = "DiSRouter.AppHost.GatewayHealth";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (healthUri() is not { } uri) return HealthCheckResult.Unhealthy("The gateway has no address yet.");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var (status, reason) = Read(body);
            return status switch
            {
                HealthStatus.Healthy when response.StatusCode == HttpStatusCode.OK => HealthCheckResult.Healthy(reason),
                HealthStatus.Degraded when response.StatusCode == HttpStatusCode.OK => HealthCheckResult.Degraded(reason),
                HealthStatus.Unhealthy => HealthCheckResult.Unhealthy(reason),
                _ => HealthCheckResult.Unhealthy($"{uri} answered {(int)response.StatusCode} with a body that is not a health report: {Truncate(body)}"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{uri} cannot be reached: {e.Message}");
        }
    }

    /// <summary>
    /// The JSON report ({"status", "checks": [{"name", "status", "description"}]}) as a status and the descriptions of
    /// its checks that are not Healthy (or all of them when every check is); null status when the body is not a report.
    /// </summary>
    internal static (HealthStatus? Status, string Reason) Read(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var s) || !Enum.TryParse<HealthStatus>(s.GetString(), out var status))
                return (null, "");
            var checks = root.TryGetProperty("checks", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Select(e => (Status: e.TryGetProperty("status", out var v) ? v.GetString() : null,
                    Text: e.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)).ToList()
                : [];
            var notable = checks.Where(x => x.Status != nameof(HealthStatus.Healthy)).ToList();
            var reason = string.Join("; ", (notable.Count > 0 ? notable : checks).Select(x => x.Text).OfType<string>().Where(t => t.Length > 0));
            return (status, reason.Length > 0 ? reason : status.ToString());
        }
        catch (JsonException)
        {
            return (null, "");
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
