using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DiSRouter.Gateway.Telemetry;

/// <summary>
/// The gateway's traces and metrics, named after OpenTelemetry's semantic conventions
/// (https://opentelemetry.io/docs/specs/semconv/general/metrics/: durations in seconds, "{request}" counts).
/// </summary>
internal sealed class GatewayTelemetry
{
    public const string Name = "DiSRouter.Gateway";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _routerDuration;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _requests = meter.CreateCounter<long>("disrouter.gateway.requests", "{request}",
            "Chat completion requests by scenario, answering agent and status.");
        _duration = meter.CreateHistogram<double>("disrouter.gateway.request.duration", "s",
            "Time from a chat completion request's arrival to its response, the whole cascade included.");
        _routerDuration = meter.CreateHistogram<double>("disrouter.gateway.router.duration", "s",
            "Time of a central router's call in the gateway (Self-Route: its heads and choice), by chosen agent and the agent forwarded to.");
    }

    public void RecordRoute(Routing.RouterDecision decision) =>
        _routerDuration.Record(decision.Metadata.RouterMs / 1000, new TagList
        {
            { "disrouter.router", decision.Metadata.Mode },
            { "disrouter.router.chosen", decision.Metadata.Chosen },
            { "disrouter.router.forwarded_to", decision.ForwardTo ?? "none" },
        });

    public void Record(string scenario, string? answeredBy, int statusCode, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "disrouter.scenario", scenario },
            { "disrouter.answered_by", answeredBy ?? "none" },
            { "http.response.status_code", statusCode },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
