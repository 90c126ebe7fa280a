using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class AttentionTests
{
    // Grouped-query: 4 query heads share 2 kv heads; sequence 1 is right-padded (3 real tokens).
    private const int B = 2, Hq = 4, Hkv = 2;

    public static TheoryData<int, int> Shapes => new()
    {
        { 5, 4 },    // (T, D): scalar tails only
        { 20, 32 },  // full 16-wide blocks plus a partial one, two vectors per head row
        { 37, 24 },  // three AVX2 vectors per head row (two passes of the narrow paths' register accumulation)
        { 9, 8 },    // one AVX2 vector per head row
        { 12, 16 },  // four 128-bit vectors per head row
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesANaiveCausalGroupedQueryAttention(int t, int d)
    {
        var (q, k, v) = Inputs(1, t, d);
        int[] lengths = [t, 3];
        float[] y = new float[B * t * Hq * d], att = new float[B * Hq * t * t];

        Attention.Forward(y, att, q, k, v, lengths, B, t, Hq, Hkv, d);

        var expected = Naive(q, k, v, lengths, t, d);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 1e-5, $"y[{i}]: expected {expected[i]:G7}, got {y[i]:G7}");
    }

    [Fact]
    public void PaddedKeysDoNotChangeTheRealTokensOutputs()
    {
        const int t = 5, d = 4;
        var (q, k, v) = Inputs(2, t, d);
        int[] lengths = [t, 3];
        float[] y1 = new float[q.Length], y2 = new float[q.Length], att = new float[B * Hq * t * t];
        Attention.Forward(y1, att, q, k, v, lengths, B, t, Hq, Hkv, d);

        // Scribble over the padding rows (t ≥ 3) of sequence 1.
        for (int j = 3; j < t; j++)
            for (int c = 0; c < Hkv * d; c++) { k[(t + j) * Hkv * d + c] = 50; v[(t + j) * Hkv * d + c] = -50; }
        Attention.Forward(y2, att, q, k, v, lengths, B, t, Hq, Hkv, d);

        Assert.Equal(y1, y2); // real queries of sequence 1 see only keys 0..2; padded queries see the real keys only too
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardMatchesFiniteDifferencesWithGroupedHeadsAndPadding(int t, int d)
    {
        var (q, k, v) = Inputs(3, t, d);
        int[] lengths = [t, 3];
        var rng = new Random(4);
        float[] r = Random(rng, q.Length), y = new float[q.Length], att = new float[B * Hq * t * t];
        float[] dq = new float[q.Length], dk = new float[k.Length], dv = new float[v.Length];
        double Loss()
        {
            float[] o = new float[q.Length], a = new float[att.Length];
            Attention.Forward(o, a, q, k, v, lengths, B, t, Hq, Hkv, d);
            return Dot(r, o);
        }

        Attention.Forward(y, att, q, k, v, lengths, B, t, Hq, Hkv, d);
        Attention.Backward(dq, dk, dv, r, att, q, k, v, lengths, B, t, Hq, Hkv, d);

        Check("dq", q, dq, Loss, maxChecks: 160);
        Check("dk", k, dk, Loss, maxChecks: 80);
        Check("dv", v, dv, Loss, maxChecks: 80);
        // Keys and values of padding positions get no gradient at all.
        for (int j = 3; j < t; j++)
            for (int c = 0; c < Hkv * d; c++)
            {
                Assert.Equal(0f, dk[(t + j) * Hkv * d + c]);
                Assert.Equal(0f, dv[(t + j) * Hkv * d + c]);
            }
    }

    private static (float[] Q, float[] K, float[] V) Inputs(int seed, int t, int d)
    {
        var rng = new Random(seed);
        return (Random(rng, B * t * Hq * d), Random(rng, B * t * Hkv * d), Random(rng, B * t * Hkv * d));
    }

    private static double[] Naive(float[] q, float[] k, float[] v, int[] lengths, int t, int dim)
    {
        var y = new double[B * t * Hq * dim];
        for (int b = 0; b < B; b++)
            for (int h = 0; h < Hq; h++)
            {
                int kvh = h / (Hq / Hkv);
                for (int i = 0; i < t; i++)
                {
                    int visible = Math.Min(i + 1, lengths[b]);
                    var s = new double[visible];
                    for (int j = 0; j < visible; j++)
                        for (int d = 0; d < dim; d++)
                            s[j] += q[(b * t + i) * Hq * dim + h * dim + d] * (double)k[(b * t + j) * Hkv * dim + kvh * dim + d] / Math.Sqrt(dim);
                    double max = s.Max(), sum = s.Sum(e => Math.Exp(e - max));
                    for (int j = 0; j < visible; j++)
                        for (int d = 0; d < dim; d++)
                            y[(b * t + i) * Hq * dim + h * dim + d] += Math.Exp(s[j] - max) / sum * v[(b * t + j) * Hkv * dim + kvh * dim + d];
                }
            }
        return y;
    }
}
