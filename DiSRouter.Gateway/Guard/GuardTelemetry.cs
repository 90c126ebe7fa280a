using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DiSRouter.Gateway.Guard;

/// <summary>
/// The gateway's guard counters, meter "DiSRouter.Gateway.Guard" (exported with every "DiSRouter.*" meter): refusals
/// by status and reason (401, 429 for a key's rate or an address's failed logins, 402 for a spent budget), degraded
/// answers, and the cost ledger's charges and compute. Tagged by key id (the fingerprint), never by key.
/// </summary>
internal sealed class GuardTelemetry
{
    public const string MeterName = "DiSRouter.Gateway.Guard";

    private readonly Counter<long> _refusals;
    private readonly Counter<long> _degraded;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _tokens;

    public GuardTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refusals = meter.CreateCounter<long>("disrouter.gateway.refusals", "{request}",
            "Requests refused before they reached an agent: 401 (no or wrong key), 429 (rate limit, failed logins), 402 (budget).");
        _degraded = meter.CreateCounter<long>("disrouter.gateway.degraded", "{request}",
            "Answers the cascade could give only degraded (an agent skipped or no successor reachable), by what the policy did.");
        _cost = meter.CreateCounter<double>("disrouter.gateway.ledger.cost", "{cost}",
            "Cost charged per key: the answering agent's normalised cost, once per answered request.");
        _tokens = meter.CreateCounter<long>("disrouter.gateway.ledger.tokens", "{token}",
            "Compute spent per key: every hop's prompt and completion tokens, rejecting hops included.");
    }

    public void Refused(int status, string reason) =>
        _refusals.Add(1, new TagList { { "http.response.status_code", status }, { "disrouter.reason", reason } });

    public void Degraded(bool refused) => _degraded.Add(1, new TagList { { "disrouter.degraded.action", refused ? "refused" : "answered" } });

    public void Charged(string keyId, double cost, long promptTokens, long completionTokens)
    {
        _cost.Add(cost, new TagList { { "disrouter.key_id", keyId } });
        _tokens.Add(promptTokens, new TagList { { "disrouter.key_id", keyId }, { "disrouter.token.type", "prompt" } });
        _tokens.Add(completionTokens, new TagList { { "disrouter.key_id", keyId }, { "disrouter.token.type", "completion" } });
    }
}
