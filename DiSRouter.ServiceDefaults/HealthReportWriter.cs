using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// /health and /alive answer "Healthy", "Degraded" or "Unhealthy" as plain text (what probes and people read), or, to a
/// caller that accepts application/json, the status with each check's status and description. The AppHost asks for
/// JSON: a Degraded gateway answers 200 like a Healthy one, so only the body tells the dashboard which it is, and why.
/// </summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var accept = http.Request.GetTypedHeaders().Accept;
        if (!accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync(report.Status.ToString());
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(http.Response.Body, new HealthBody(report.Status.ToString(),
            report.Entries.Select(e => new HealthCheckBody(e.Key, e.Value.Status.ToString(), e.Value.Description)).ToList()),
            HealthJson.Default.HealthBody, http.RequestAborted);
    }
}

/// <summary>The JSON form of a health report: <c>{"status":"Degraded","checks":[{"name":"cascade","status":"Degraded","description":"Down: agent-2 …"}]}</c>.</summary>
internal sealed record HealthBody(string Status, IReadOnlyList<HealthCheckBody> Checks);

internal sealed record HealthCheckBody(string Name, string Status, string? Description);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthBody))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
