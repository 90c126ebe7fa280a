using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace DiSRouter.ServiceDefaults.Telemetry;

/// <summary>
/// Marks the request activity of /health and /alive as not recorded: OpenTelemetry's export processors skip
/// activities whose Recorded flag is clear, and child activities inherit the decision through the parent-based sampler.
/// </summary>
internal sealed class UntracedPathsMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (IsProbe(context.Request.Path) && Activity.Current is { } activity)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }
        return next(context);
    }

    internal static bool IsProbe(PathString path) =>
        path.StartsWithSegments(Extensions.HealthEndpointPath) || path.StartsWithSegments(Extensions.AlivenessEndpointPath);
}
