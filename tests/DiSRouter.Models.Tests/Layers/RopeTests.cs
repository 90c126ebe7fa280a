using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class RopeTests
{
    private const int Heads = 3, D = 8, T = 5, B = 2;
    private static readonly RopeTable Table = new(16, D, 10000);

    [Fact]
    public void ForwardRotatesTheTwoHalvesOfEachHeadByThePositionsAngle()
    {
        var rng = new Random(1);
        float[] x = Random(rng, B * T * Heads * D), y = new float[x.Length];

        Rope.Forward(y, x, B * T, Heads, T, 0, Table);

        for (int n = 0; n < B * T; n++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < D / 2; i++)
                {
                    double angle = (n % T) * Math.Pow(10000, -2.0 * i / D);
                    int o = n * Heads * D + h * D;
                    double x1 = x[o + i], x2 = x[o + i + D / 2];
                    Assert.Equal(x1 * Math.Cos(angle) - x2 * Math.Sin(angle), y[o + i], 1e-5);
                    Assert.Equal(x1 * Math.Sin(angle) + x2 * Math.Cos(angle), y[o + i + D / 2], 1e-5);
                }
    }

    [Fact]
    public void PositionOffsetContinuesWhereTheCacheEnds()
    {
        var rng = new Random(2);
        float[] x = Random(rng, T * Heads * D), full = new float[x.Length];
        Rope.Forward(full, x, T, Heads, T, 0, Table);

        // The last two rows alone, as a KV-cached step after 3 cached positions, in place.
        var tail = x.AsSpan(3 * Heads * D).ToArray();
        Rope.Forward(tail, tail, 2, Heads, 2, 3, Table);

        Assert.Equal(full.AsSpan(3 * Heads * D).ToArray(), tail);
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var rng = new Random(3);
        float[] x = Random(rng, B * T * Heads * D), r = Random(rng, x.Length), dx = new float[x.Length];
        double Loss() { var y = new float[x.Length]; Rope.Forward(y, x, B * T, Heads, T, 0, Table); return Dot(r, y); }

        Rope.Backward(dx, r, B * T, Heads, T, 0, Table);

        Check("dx", x, dx, Loss, maxChecks: 240);
    }

    [Fact]
    public void PositionBeyondTheTableIsRejected()
    {
        var x = new float[Heads * D];
        Assert.Throws<ArgumentOutOfRangeException>(() => Rope.Forward(x, x, 1, Heads, 1, 16, Table));
    }
}
