namespace DiSRouter.Core.Evaluation.Metrics;

/// <summary>One operating point of a router: its mean cost and accuracy at one setting (one α).</summary>
public readonly record struct CostAccuracy(double Cost, double Accuracy);

/// <summary>
/// The cost–accuracy frontier of a router and the summaries read off it. Following RouterBench, the frontier is the
/// non-decreasing convex hull of the router's points: any two settings can be mixed at random (so every segment
/// between two points is reachable), and a budget need not be spent (so the frontier never falls). Below the router's
/// cheapest point it reaches nothing (0).
/// <list type="bullet">
/// <item>AIQ (RouterBench): the frontier's mean over the cost range [cMin, cMax], i.e. its area divided by the range.</item>
/// <item>APGR (RouteLLM): the mean over the range from the weak to the strong model's cost of the performance gap
/// recovered, PGR(c) = (F(c) − acc_weak) / (acc_strong − acc_weak); with cost in place of RouteLLM's share of calls
/// to the strong model, which is the same axis when there are only two models.</item>
/// <item>CPT(x) (RouteLLM): the least cost, as a share of the way from the weak to the strong model's cost, at which
/// PGR reaches x; null when the frontier never does.</item>
/// </list>
/// </summary>
public static class Frontier
{
    /// <summary>The frontier's value at cost <paramref name="c"/>.</summary>
    public static double Value(IReadOnlyList<CostAccuracy> points, double c)
    {
        double best = 0;
        foreach (var p in points)
        {
            if (p.Cost <= c) best = Math.Max(best, p.Accuracy); // flat to the right: an unspent budget
            foreach (var q in points)
                if (p.Cost < c && c < q.Cost)
                    best = Math.Max(best, p.Accuracy + (q.Accuracy - p.Accuracy) * (c - p.Cost) / (q.Cost - p.Cost));
        }
        return best;
    }

    /// <summary>Area under the frontier over [<paramref name="cMin"/>, <paramref name="cMax"/>] divided by the range.</summary>
    public static double Aiq(IReadOnlyList<CostAccuracy> points, double cMin, double cMax)
    {
        if (!(cMax > cMin)) throw new ArgumentException($"The cost range [{cMin}, {cMax}] is empty.", nameof(cMax));
        if (points.Count == 0) return 0;
        // 0 left of the cheapest point; from there the frontier is continuous and linear between consecutive point costs
        // (the upper hull has its vertices at points, and past its top it is flat), so the trapezoid rule on those
        // breakpoints is exact.
        var xs = Breakpoints(points, Math.Max(cMin, points.Min(p => p.Cost)), cMax);
        double area = 0;
        for (int j = 0; j + 1 < xs.Count; j++) area += (Value(points, xs[j]) + Value(points, xs[j + 1])) / 2 * (xs[j + 1] - xs[j]);
        return area / (cMax - cMin);
    }

    public static double Apgr(IReadOnlyList<CostAccuracy> points, CostAccuracy weak, CostAccuracy strong)
    {
        double gap = strong.Accuracy - weak.Accuracy;
        if (!(Math.Abs(gap) > 1e-12)) throw new ArgumentException("The weak and strong models have the same accuracy: no gap to recover.", nameof(strong));
        return (Aiq(points, weak.Cost, strong.Cost) - weak.Accuracy) / gap;
    }

    /// <summary>CPT(<paramref name="recovered"/>), as a fraction of the cost range from weak to strong (0 at or below the weak model's cost); null if never reached.</summary>
    public static double? Cpt(IReadOnlyList<CostAccuracy> points, CostAccuracy weak, CostAccuracy strong, double recovered)
    {
        if (points.Count == 0) return null;
        double target = weak.Accuracy + recovered * (strong.Accuracy - weak.Accuracy);
        var xs = Breakpoints(points, points.Min(p => p.Cost), Math.Max(strong.Cost, points.Max(p => p.Cost)));
        for (int j = 0; j < xs.Count; j++)
        {
            double f = Value(points, xs[j]);
            if (f < target - 1e-12) continue;
            double c = j == 0 ? xs[0] : xs[j - 1] + (target - Value(points, xs[j - 1])) / (f - Value(points, xs[j - 1])) * (xs[j] - xs[j - 1]);
            return Math.Max(0, (c - weak.Cost) / (strong.Cost - weak.Cost));
        }
        return null;
    }

    // lo, hi and every point cost strictly between them, ascending.
    private static List<double> Breakpoints(IReadOnlyList<CostAccuracy> points, double lo, double hi) =>
        hi <= lo ? [] : points.Select(p => p.Cost).Where(c => c > lo && c < hi).Append(lo).Append(hi).Distinct().Order().ToList();
}
