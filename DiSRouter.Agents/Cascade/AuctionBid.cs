using System.Globalization;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// One agent's bid under the auction rule: its own probability that its answer is right, and its cost. Travels between
/// agents as <see cref="RoutingHeaders.BestBid"/>: "agent=agent-1; p_right=0.634; cost=0.1".
/// </summary>
internal sealed record AuctionBid(string Agent, double PRight, double Cost)
{
    public double Utility(double alpha) => PRight - alpha * Cost;

    public string ToHeader() => string.Create(CultureInfo.InvariantCulture, $"agent={Agent}; p_right={PRight:R}; cost={Cost:R}");

    /// <summary>The header's bid, or the reason it is not one (every field present once, p_right in [0, 1], cost finite and non-negative).</summary>
    public static (AuctionBid? Bid, string? Error) Parse(string header)
    {
        var malformed = (default(AuctionBid), $"Header {RoutingHeaders.BestBid} must read 'agent=<name>; p_right=<0..1>; cost=<c ≥ 0>', got '{header}'.");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !fields.TryAdd(part[..eq].Trim(), part[(eq + 1)..].Trim())) return malformed;
        }
        if (fields.Count != 3 || !fields.TryGetValue("agent", out var agent) || agent.Length == 0
            || !fields.TryGetValue("p_right", out var p) || !double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var pRight) || !(pRight is >= 0 and <= 1)
            || !fields.TryGetValue("cost", out var c) || !double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var cost) || !(cost >= 0) || !double.IsFinite(cost))
            return malformed;
        return (new AuctionBid(agent, pRight, cost), null);
    }
}

/// <summary>A request under the auction rule, and the best bid it arrived with (null at the first agent and while no one has bid).</summary>
internal sealed record AuctionCall(AuctionBid? Best);
