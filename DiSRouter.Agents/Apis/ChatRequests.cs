using System.Globalization;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Agents.Apis;

/// <summary>
/// An agent's reading of a request: the shared rules (<see cref="ChatRequestParser"/>), the hop headers, and α. Every
/// refusal is a problem+json with the reason, never a silent default.
/// </summary>
internal static class ChatRequests
{
    /// <summary>The body's bytes are kept: a rejected request is forwarded as it came.</summary>
    public static async Task<(ChatCompletionRequest? Request, byte[] Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest http, CancellationToken ct)
    {
        if (ChatRequestParser.ContentTypeError(http.ContentType) is { } mediaError) return (null, [], Problems.UnsupportedMediaType(mediaError));
        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        var reading = ChatRequestParser.Parse(body);
        return reading.Error is { } error ? (null, body, Problems.BadRequest(error)) : (reading.Request, body, null);
    }

    /// <summary>
    /// α, chosen once: a request from inside the network (the gateway or a predecessor set <see cref="RoutingHeaders.HopCount"/>)
    /// carries the chosen α in <see cref="RoutingHeaders.Alpha"/>, which wins over anything in the body; a client calling
    /// the agent directly has it chosen here by the gateway's rules (<see cref="ScenarioSelector.Select"/>).
    /// </summary>
    public static ProblemHttpResult? TrySelectScenario(ChatCompletionRequest r, IHeaderDictionary headers, out Scenario scenario)
    {
        string? Header(string name) => headers.TryGetValue(name, out var v) ? v.ToString() : null;
        var selection = headers.ContainsKey(RoutingHeaders.HopCount) && headers.ContainsKey(RoutingHeaders.Alpha)
            ? ScenarioSelector.FromHop(Header(RoutingHeaders.Alpha))
            : ScenarioSelector.Select(r, Header(RoutingHeaders.Alpha), Header(RoutingHeaders.Scenario), ModelAliases.ScenarioOf(r.Model));
        scenario = selection.Scenario ?? Scenario.Balance;
        return selection.Error is { } error ? Problems.BadRequest(error) : null;
    }

    /// <summary>Agents the request has passed, from X-DiSRouter-Hops (absent = 0, straight from a client).</summary>
    public static ProblemHttpResult? TryReadHops(IHeaderDictionary headers, out int hops)
    {
        hops = 0;
        if (!headers.TryGetValue(RoutingHeaders.HopCount, out var value)) return null;
        if (int.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out hops)) return null;
        return Problems.BadRequest($"Header {RoutingHeaders.HopCount} must be a non-negative integer, got '{value}'.");
    }

    /// <summary>The caller's commit budget (<see cref="RoutingHeaders.CommitBudget"/>), or null when it sent none or one that is not a positive number.</summary>
    public static TimeSpan? CommitBudget(IHeaderDictionary headers) =>
        headers.TryGetValue(RoutingHeaders.CommitBudget, out var value)
        && double.TryParse(value.ToString().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms > 0 && double.IsFinite(ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, TimeSpan.MaxValue.TotalMilliseconds / 2))
            : null;

    /// <summary>
    /// The central router that chose this agent (<see cref="RoutingHeaders.RoutedBy"/>), or null: accepted only at hop 0,
    /// from the gateway, since it makes the agent answer without deciding.
    /// </summary>
    public static ProblemHttpResult? TryReadRoutedBy(IHeaderDictionary headers, int hops, out string? router)
    {
        router = headers.TryGetValue(RoutingHeaders.RoutedBy, out var v) ? v.ToString().Trim() : null;
        if (router is null) return null;
        if (router.Length == 0) return Problems.BadRequest($"Header {RoutingHeaders.RoutedBy} names the router that chose this agent; it is empty.");
        if (hops != 0 || !headers.ContainsKey(RoutingHeaders.HopCount))
            return Problems.BadRequest($"Header {RoutingHeaders.RoutedBy} is accepted only from the gateway ({RoutingHeaders.HopCount}: 0); this request has " +
                (headers.ContainsKey(RoutingHeaders.HopCount) ? $"{hops} hops." : $"no {RoutingHeaders.HopCount}."));
        return null;
    }

    /// <summary>
    /// The cascade rule (<see cref="RoutingHeaders.Rule"/>): null for the threshold cascade (no header), the auction with
    /// the best bid so far (<see cref="RoutingHeaders.BestBid"/>) for "auction". An unknown rule, a best bid without the
    /// auction, a malformed one, or the auction for an agent a router already chose is refused with the reason.
    /// </summary>
    public static ProblemHttpResult? TryReadRule(IHeaderDictionary headers, string? routedBy, out AuctionCall? auction)
    {
        auction = null;
        var rule = headers.TryGetValue(RoutingHeaders.Rule, out var r) ? r.ToString().Trim() : null;
        var best = headers.TryGetValue(RoutingHeaders.BestBid, out var b) ? b.ToString() : null;
        if (rule is null)
            return best is null ? null : Problems.BadRequest($"Header {RoutingHeaders.BestBid} belongs to the auction rule; this request has no {RoutingHeaders.Rule}.");
        if (!string.Equals(rule, RoutingHeaders.AuctionRule, StringComparison.Ordinal))
            return Problems.BadRequest($"Header {RoutingHeaders.Rule} names the cascade rule; this agent knows '{RoutingHeaders.AuctionRule}', got '{rule}'.");
        if (routedBy is not null)
            return Problems.BadRequest($"Header {RoutingHeaders.RoutedBy} says a router chose this agent, so there is no auction to hold ({RoutingHeaders.Rule}: {rule}).");
        if (best is null)
        {
            auction = new AuctionCall(null);
            return null;
        }
        var (bid, error) = AuctionBid.Parse(best);
        if (error is not null) return Problems.BadRequest(error);
        auction = new AuctionCall(bid);
        return null;
    }

    public static GenerationSettings Settings(ChatCompletionRequest r, AgentOptions o) => new()
    {
        MaxNewTokens = Math.Min(o.MaxNewTokens, r.TokenLimit ?? o.MaxNewTokens),
        Temperature = r.Temperature,
        TopP = r.TopP,
        Seed = r.Seed,
        Stop = r.StopStrings(),
        N = r.N ?? 1,
    };
}
