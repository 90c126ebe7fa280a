using System.Globalization;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Apis;
using DiSRouter.Gateway.Guard;
using DiSRouter.Gateway.Ledger;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace DiSRouter.Gateway.Forwarding;

/// <summary>
/// Applies Gateway:DegradedAnswers to an answer the entry agent marked degraded (<see cref="RoutingHeaders.Degraded"/>,
/// sent before the body, streamed or whole). Answer: it passes, counted and logged. Refuse: the client gets 503 with
/// Retry-After (the next health probe) instead. The agent's answer is read to its end first, unseen by the client,
/// for the routing metadata it ends with: the compute it cost is booked (<see cref="RefusedAnswer"/>), charged nothing.
/// WHY read it rather than drop it: the cascade spent that compute whether or not the client sees the answer, and
/// the 503 waits only for the rest of an answer that was already being generated.
/// </summary>
internal static class DegradedAnswerTransform
{
    public static async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { IsSuccessStatusCode: true } response ||
            !response.Headers.TryGetValues(RoutingHeaders.Degraded, out var values)) return;
        var degraded = string.Join("; ", values);
        var http = context.HttpContext;
        var o = http.RequestServices.GetRequiredService<IOptionsMonitor<GatewayOptions>>().CurrentValue;
        var refuse = o.DegradedAnswers == DegradedAnswerPolicy.Refuse;
        http.RequestServices.GetRequiredService<GuardTelemetry>().Degraded(refuse);
        var logger = http.RequestServices.GetRequiredService<ILogger<GuardTelemetry>>();
        if (http.RequestServices.GetRequiredService<RepeatedLog>().ShouldLog("degraded", degraded, out _))
            GuardLog.Degraded(logger, refuse ? "refused" : "answered", degraded);
        if (!refuse) return;

        context.SuppressResponseBody = true;
        var streamed = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(context.CancellationToken);
            var (metadata, id, _) = (await LedgerTap.DrainAsync(body, streamed, context.CancellationToken)).Metadata();
            http.Features.Set(new RefusedAnswer(metadata, id, streamed));
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // The answer broke while it was read, or the client left: the 503 all the same, and nothing to book.
        }
        http.Response.Headers.Clear();
        var seconds = Math.Max(1, (int)Math.Ceiling(o.Health.ProbeIntervalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[RoutingHeaders.Degraded] = degraded;
        await GatewayApi.Problem(StatusCodes.Status503ServiceUnavailable,
                $"The cascade could only give a degraded answer ({degraded}) and Gateway:DegradedAnswers is Refuse; retry after {seconds} s.")
            .ExecuteAsync(http);
    }
}

/// <summary>The routing metadata of a degraded answer the client did not get (Refuse), for the ledger.</summary>
internal sealed record RefusedAnswer(RoutingMetadata? Metadata, string? Id, bool Streamed);
