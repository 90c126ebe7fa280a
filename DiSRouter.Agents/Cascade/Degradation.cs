using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// The words for an answer the cascade could not give as designed (<see cref="RoutingMetadata.Degraded"/>,
/// <see cref="RoutingHeaders.Degraded"/>). Plain ASCII, as agent names are, so it fits a header as it is.
/// </summary>
internal static class Degradation
{
    /// <summary>"skipped agent-3, agent-4": successors left out as unreachable on the way to the one that answered.</summary>
    public static string? Skipped(IReadOnlyCollection<Hop> skipped) =>
        skipped.Count == 0 ? null : "skipped " + string.Join(", ", skipped.Select(h => h.Agent));

    /// <summary>An agent that judged itself not competent answered because no successor could be reached.</summary>
    public static string Fallback(string agent, IReadOnlyCollection<Hop> skipped) =>
        $"{agent} answered after rejecting: no successor reachable" + Listed(skipped);

    /// <summary>Under the auction rule: the auction ended at an agent before the last, because no successor could be reached.</summary>
    public static string AuctionCut(string agent, IReadOnlyCollection<Hop> skipped) =>
        $"the auction ended at {agent}: no successor reachable" + Listed(skipped);

    // " (agent-3, agent-4)": the successors that could not be reached, or nothing.
    private static string Listed(IReadOnlyCollection<Hop> skipped) =>
        skipped.Count == 0 ? "" : $" ({string.Join(", ", skipped.Select(h => h.Agent))})";

    /// <summary>This hop's part first, then what the successors reported, "; " between.</summary>
    public static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join("; ", present);
    }
}
