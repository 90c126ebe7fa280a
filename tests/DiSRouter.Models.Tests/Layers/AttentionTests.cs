using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class AttentionTests
{
    // Grouped-query: 4 query heads share 2 kv heads; sequence 1 is right-padded to T (3 real tokens of 5).
    private const int B = 2, T = 5, Hq = 4, Hkv = 2, D = 4;
    private static readonly int[] Lengths = [5, 3];

    [Fact]
    public void ForwardMatchesANaiveCausalGroupedQueryAttention()
    {
        var (q, k, v) = Inputs(1);
        float[] y = new float[B * T * Hq * D], att = new float[B * Hq * T * T];

        Attention.Forward(y, att, q, k, v, Lengths, B, T, Hq, Hkv, D);

        var expected = Naive(q, k, v);
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y[i], 5);
    }

    [Fact]
    public void PaddedKeysDoNotChangeTheRealTokensOutputs()
    {
        var (q, k, v) = Inputs(2);
        float[] y1 = new float[q.Length], y2 = new float[q.Length], att = new float[B * Hq * T * T];
        Attention.Forward(y1, att, q, k, v, Lengths, B, T, Hq, Hkv, D);

        // Scribble over the padding rows (t ≥ 3) of sequence 1.
        for (int t = 3; t < T; t++)
            for (int c = 0; c < Hkv * D; c++) { k[(T + t) * Hkv * D + c] = 50; v[(T + t) * Hkv * D + c] = -50; }
        Attention.Forward(y2, att, q, k, v, Lengths, B, T, Hq, Hkv, D);

        Assert.Equal(y1, y2); // real queries of sequence 1 see only keys 0..2; padded queries see the real keys only too
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesWithGroupedHeadsAndPadding()
    {
        var (q, k, v) = Inputs(3);
        var rng = new Random(4);
        float[] r = Random(rng, q.Length), y = new float[q.Length], att = new float[B * Hq * T * T];
        float[] dq = new float[q.Length], dk = new float[k.Length], dv = new float[v.Length];
        double Loss()
        {
            float[] o = new float[q.Length], a = new float[att.Length];
            Attention.Forward(o, a, q, k, v, Lengths, B, T, Hq, Hkv, D);
            return Dot(r, o);
        }

        Attention.Forward(y, att, q, k, v, Lengths, B, T, Hq, Hkv, D);
        Attention.Backward(dq, dk, dv, r, att, q, k, v, Lengths, B, T, Hq, Hkv, D);

        Check("dq", q, dq, Loss, maxChecks: 160);
        Check("dk", k, dk, Loss, maxChecks: 80);
        Check("dv", v, dv, Loss, maxChecks: 80);
        // Keys and values of padding positions get no gradient at all.
        for (int t = 3; t < T; t++)
            for (int c = 0; c < Hkv * D; c++)
            {
                Assert.Equal(0f, dk[(T + t) * Hkv * D + c]);
                Assert.Equal(0f, dv[(T + t) * Hkv * D + c]);
            }
    }

    private static (float[] Q, float[] K, float[] V) Inputs(int seed)
    {
        var rng = new Random(seed);
        return (Random(rng, B * T * Hq * D), Random(rng, B * T * Hkv * D), Random(rng, B * T * Hkv * D));
    }

    private static double[] Naive(float[] q, float[] k, float[] v)
    {
        var y = new double[B * T * Hq * D];
        for (int b = 0; b < B; b++)
            for (int h = 0; h < Hq; h++)
            {
                int kvh = h / (Hq / Hkv);
                for (int i = 0; i < T; i++)
                {
                    int visible = Math.Min(i + 1, Lengths[b]);
                    var s = new double[visible];
                    for (int j = 0; j < visible; j++)
                        for (int d = 0; d < D; d++)
                            s[j] += q[(b * T + i) * Hq * D + h * D + d] * (double)k[(b * T + j) * Hkv * D + kvh * D + d] / Math.Sqrt(D);
                    double max = s.Max(), sum = s.Sum(e => Math.Exp(e - max));
                    for (int j = 0; j < visible; j++)
                        for (int d = 0; d < D; d++)
                            y[(b * T + i) * Hq * D + h * D + d] += Math.Exp(s[j] - max) / sum * v[(b * T + j) * Hkv * D + kvh * D + d];
                }
            }
        return y;
    }
}
