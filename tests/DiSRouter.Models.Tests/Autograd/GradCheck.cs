namespace DiSRouter.Models.Tests.Autograd;

/// <summary>
/// Central finite differences against an analytic gradient. The forward runs in float32, so the step is large
/// (ε = 1e-2 by default) and the loss is summed in double; an entry passes when
/// |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
/// </summary>
internal static class GradCheck
{
    public const double DefaultEps = 1e-2, DefaultAtol = 1e-3, DefaultRtol = 5e-3;

    /// <summary>Checks ∂loss/∂input[i] for every entry (or an evenly spread sample of <paramref name="maxChecks"/>).</summary>
    public static void Check(string name, float[] input, float[] analytic, Func<double> loss,
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol, int maxChecks = 64)
    {
        Assert.Equal(input.Length, analytic.Length);
        int stride = Math.Max(1, input.Length / maxChecks);
        int checkedCount = 0, nonZero = 0;
        for (int i = 0; i < input.Length; i += stride)
        {
            float saved = input[i];
            input[i] = saved + (float)eps;
            double plus = loss();
            input[i] = saved - (float)eps;
            double minus = loss();
            input[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            double a = analytic[i];
            double tol = atol + rtol * Math.Max(Math.Abs(a), Math.Abs(numeric));
            Assert.True(Math.Abs(a - numeric) <= tol, $"{name}[{i}]: analytic {a:G6}, numeric {numeric:G6} (tolerance {tol:G3})");
            checkedCount++;
            if (Math.Abs(numeric) > 10 * atol) nonZero++;
        }
        // A check that only ever compared zeros would prove nothing.
        Assert.True(nonZero > 0, $"{name}: all {checkedCount} checked gradients are ~0; the check is vacuous.");
    }

    /// <summary>Σ r·y in double: the scalar whose gradient w.r.t. y is r.</summary>
    public static double Dot(ReadOnlySpan<float> r, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)r[i] * y[i];
        return s;
    }

    public static float[] Random(Random rng, int n, double scale = 1.0)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }
}
