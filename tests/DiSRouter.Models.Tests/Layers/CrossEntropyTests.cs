using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class CrossEntropyTests
{
    private const int N = 6, V = 9;
    private static readonly int[] Targets = [3, 0, 8, -1, 5, 5];     // row 3 is padding
    private static readonly float[] Weights = [1, 0, 1, 0, 0.5f, 2]; // row 1 is masked out

    [Fact]
    public void LogProbsAreTheLogSoftmaxAtTheTargetAndZeroOnPadding()
    {
        var logits = Random(new Random(1), N * V, 5);
        var logp = new float[N];

        CrossEntropy.LogProbsForward(logp, logits, Targets, N, V);

        for (int n = 0; n < N; n++)
        {
            if (Targets[n] < 0) { Assert.Equal(0f, logp[n]); continue; }
            double lse = Math.Log(Enumerable.Range(0, V).Sum(j => Math.Exp(logits[n * V + j])));
            Assert.Equal(logits[n * V + Targets[n]] - lse, logp[n], 1e-5);
        }
    }

    [Fact]
    public void LogProbsStayFiniteForHugeLogits()
    {
        float[] logits = [1000f, 0f, -1000f], logp = new float[1];

        CrossEntropy.LogProbsForward(logp, logits, [1], 1, 3);

        Assert.Equal(-1000f, logp[0], 1e-3);
    }

    [Fact]
    public void MaskedLossBackwardMatchesFiniteDifferences()
    {
        var logits = Random(new Random(2), N * V, 3);
        var dlogits = new float[logits.Length];
        const float scale = 1f / 4.5f; // 1 / Σ weights
        double Loss() => CrossEntropy.Forward(new float[N], logits, Targets, Weights, scale, N, V);

        CrossEntropy.Backward(dlogits, logits, Targets, Weights, scale, 1f, N, V, new float[N]);

        Check("dlogits", logits, dlogits, Loss, maxChecks: N * V);
        Assert.All(dlogits.AsSpan(1 * V, V).ToArray(), g => Assert.Equal(0f, g)); // masked-out row
        Assert.All(dlogits.AsSpan(3 * V, V).ToArray(), g => Assert.Equal(0f, g)); // padding row
    }

    [Fact]
    public void LogProbBackwardMatchesFiniteDifferences()
    {
        var rng = new Random(3);
        float[] logits = Random(rng, N * V, 3), r = Random(rng, N), dlogits = new float[N * V];
        double Loss() { var lp = new float[N]; CrossEntropy.LogProbsForward(lp, logits, Targets, N, V); return Dot(r, lp); }

        CrossEntropy.LogProbsBackward(dlogits, r, logits, Targets, N, V);

        Check("dlogits", logits, dlogits, Loss, maxChecks: N * V);
    }
}
