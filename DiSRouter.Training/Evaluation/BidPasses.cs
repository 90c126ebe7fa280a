namespace DiSRouter.Training.Evaluation;

/// <summary>
/// How many agents self-assessed bids must ask when they ask the cheapest first: no agent of cost c can be worth more
/// than 1 − α·c (a bid is a probability), so once the best bid so far reaches 1 − α·c of the next dearer agent, no dearer
/// one can outbid it and the auction stops, with the pick of asking everyone (a tie goes to the cheaper agent either way).
/// WHY: full bids spend every agent's prompt pass on every query; this says how many of them a sequential auction needs.
/// </summary>
internal static class BidPasses
{
    /// <summary>The agents asked for one query, cheapest first (<paramref name="costs"/> ascending), and the one picked.</summary>
    public static (int Asked, int Picked) Auction(IReadOnlyList<double> bids, IReadOnlyList<double> costs, double alpha)
    {
        if (bids.Count != costs.Count || bids.Count == 0) throw new ArgumentException($"{bids.Count} bids for {costs.Count} agents.", nameof(bids));
        int best = 0;
        for (int k = 1; k < bids.Count; k++)
        {
            double bestUtility = bids[best] - alpha * costs[best];
            if (bestUtility >= 1 - alpha * costs[k]) return (k, best);
            if (bids[k] - alpha * costs[k] > bestUtility + 1e-12) best = k;
        }
        return (bids.Count, best);
    }

    /// <summary>Mean agents asked per query; <paramref name="bids"/>[k][i] is agent k's bid on query i, agents in cost order.</summary>
    public static double MeanAsked(double[][] bids, IReadOnlyList<double> costs, double alpha) =>
        Enumerable.Range(0, bids[0].Length).Average(i => Auction(bids.Select(b => b[i]).ToArray(), costs, alpha).Asked);
}
