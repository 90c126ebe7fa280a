using DiSRouter.Core.Tasks;

namespace DiSRouter.Core.Evaluation.Metrics;

/// <summary>A difference of means with its 95 % interval.</summary>
public readonly record struct Interval(double Mean, double Low, double High)
{
    /// <summary>Win: the interval lies above 0; loss: below; tie: it holds 0.</summary>
    public string Verdict => Low > 0 ? "win" : High < 0 ? "loss" : "tie";
}

/// <summary>
/// The paired bootstrap: the same queries resampled with replacement for both methods, the difference of their mean
/// per-query utilities recomputed each time; the interval is the 2.5th and 97.5th percentile of those differences.
/// Pairing matters: two methods graded on the same queries share most of their noise.
/// </summary>
public static class PairedBootstrap
{
    public static Interval Difference(IReadOnlyList<double> a, IReadOnlyList<double> b, int resamples = 1000, ulong seed = 0)
    {
        if (a.Count != b.Count || a.Count == 0) throw new ArgumentException($"Paired samples need equal, non-zero lengths ({a.Count} and {b.Count}).", nameof(b));
        int n = a.Count;
        var d = Enumerable.Range(0, n).Select(i => a[i] - b[i]).ToArray();
        var rng = new StableRandom(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += d[rng.Next(n)];
            means[r] = s / n;
        }
        Array.Sort(means);
        return new Interval(d.Average(), Percentile.OfSorted(means, 0.025), Percentile.OfSorted(means, 0.975));
    }
}

/// <summary>Percentiles by linear interpolation between order statistics (numpy's default).</summary>
public static class Percentile
{
    public static double OfSorted(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    public static double Of(IEnumerable<double> values, double q) => OfSorted(values.Order().ToArray(), q);
}
