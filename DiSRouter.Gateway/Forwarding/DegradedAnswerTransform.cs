using System.Globalization;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Apis;
using DiSRouter.Gateway.Guard;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace DiSRouter.Gateway.Forwarding;

/// <summary>
/// Applies Gateway:DegradedAnswers to an answer the entry agent marked degraded (<see cref="RoutingHeaders.Degraded"/>,
/// sent before the body, streamed or whole). Answer: it passes, counted and logged. Refuse: the client gets 503 with
/// Retry-After (the next health probe) instead, and the agent's answer is dropped unread.
/// </summary>
internal static class DegradedAnswerTransform
{
    public static ValueTask ApplyAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { IsSuccessStatusCode: true } response ||
            !response.Headers.TryGetValues(RoutingHeaders.Degraded, out var values)) return ValueTask.CompletedTask;
        var degraded = string.Join("; ", values);
        var http = context.HttpContext;
        var o = http.RequestServices.GetRequiredService<IOptionsMonitor<GatewayOptions>>().CurrentValue;
        var refuse = o.DegradedAnswers == DegradedAnswerPolicy.Refuse;
        http.RequestServices.GetRequiredService<GuardTelemetry>().Degraded(refuse);
        var logger = http.RequestServices.GetRequiredService<ILogger<GuardTelemetry>>();
        if (http.RequestServices.GetRequiredService<RepeatedLog>().ShouldLog("degraded", degraded, out _))
            GuardLog.Degraded(logger, refuse ? "refused" : "answered", degraded);
        if (!refuse) return ValueTask.CompletedTask;

        context.SuppressResponseBody = true;
        http.Response.Headers.Clear();
        var seconds = Math.Max(1, (int)Math.Ceiling(o.Health.ProbeIntervalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[RoutingHeaders.Degraded] = degraded;
        return new ValueTask(GatewayApi.Problem(StatusCodes.Status503ServiceUnavailable,
                $"The cascade could only give a degraded answer ({degraded}) and Gateway:DegradedAnswers is Refuse; retry after {seconds} s.")
            .ExecuteAsync(http));
    }
}
