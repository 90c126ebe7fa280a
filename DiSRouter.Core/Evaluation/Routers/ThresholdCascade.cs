namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// A cascade in which every agent answers and a score of that answer decides whether to stop (FrugalGPT's scorer, a
/// confidence cascade's mean token log-probability): agent k's answer is returned when its score reaches θ_k, else the
/// query goes on; the last agent's answer is always returned. Every agent asked has generated an answer, so the cost
/// charged is the sum of their costs. The thresholds are tuned per α on labelled queries (<see cref="Tune"/>).
/// </summary>
public static class ThresholdCascade
{
    /// <summary>The agent whose answer is returned, per query. <paramref name="scores"/>[k][i]: agent k's score on query i.</summary>
    public static int[] Route(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<double> thresholds)
    {
        int agents = scores.Count, n = scores[0].Count;
        if (thresholds.Count != agents - 1) throw new ArgumentException($"{thresholds.Count} thresholds for {agents} agents (one per agent but the last).", nameof(thresholds));
        var routed = new int[n];
        for (int i = 0; i < n; i++)
        {
            int k = 0;
            while (k < agents - 1 && !(scores[k][i] >= thresholds[k])) k++;
            routed[i] = k;
        }
        return routed;
    }

    /// <summary>The cost charged to each query: the agents asked, up to and including the one whose answer is returned.</summary>
    public static double[] Costs(IReadOnlyList<int> routed, IReadOnlyList<double> costs)
    {
        var prefix = new double[costs.Count];
        for (int k = 0; k < costs.Count; k++) prefix[k] = (k > 0 ? prefix[k - 1] : 0) + costs[k];
        return routed.Select(k => prefix[k]).ToArray();
    }

    /// <summary>Mean utility of the thresholds on labelled queries.</summary>
    public static double Utility(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyList<bool>> correct, IReadOnlyList<double> costs,
        double alpha, IReadOnlyList<double> thresholds)
    {
        var routed = Route(scores, thresholds);
        var cost = Costs(routed, costs);
        double u = 0;
        for (int i = 0; i < routed.Length; i++) u += (correct[routed[i]][i] ? 1 : 0) - alpha * cost[i];
        return u / routed.Length;
    }

    /// <summary>
    /// Thresholds that maximise mean utility at α on the given labelled queries: coordinate ascent, each threshold over
    /// the quantiles of its agent's scores (and "never stop" / "always stop"), a few sweeps from "never stop", so
    /// that the result is the largest utility this search reaches; ties keep the earlier candidate.
    /// </summary>
    public static double[] Tune(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyList<bool>> correct, IReadOnlyList<double> costs,
        double alpha, int quantiles = 40, int sweeps = 4)
    {
        int agents = scores.Count;
        var candidates = Enumerable.Range(0, agents - 1).Select(k =>
        {
            var sorted = scores[k].Order().ToArray();
            var list = new List<double> { double.PositiveInfinity, double.NegativeInfinity };
            for (int q = 1; q < quantiles; q++) list.Add(sorted[(int)((long)q * (sorted.Length - 1) / quantiles)]);
            return list.Distinct().ToArray();
        }).ToArray();
        var theta = Enumerable.Repeat(double.PositiveInfinity, agents - 1).ToArray();
        double best = Utility(scores, correct, costs, alpha, theta);
        for (int s = 0; s < sweeps; s++)
        {
            bool moved = false;
            for (int k = 0; k < agents - 1; k++)
                foreach (var c in candidates[k])
                {
                    var trial = theta.ToArray();
                    trial[k] = c;
                    double u = Utility(scores, correct, costs, alpha, trial);
                    if (u > best + 1e-12) { best = u; theta = trial; moved = true; }
                }
            if (!moved) break;
        }
        return theta;
    }
}
