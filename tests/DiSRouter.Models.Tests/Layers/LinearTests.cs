using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class LinearTests
{
    private const int N = 5, In = 7, Out = 6;

    [Fact]
    public void ForwardIsInputTimesWeightTransposedPlusBias()
    {
        var rng = new Random(1);
        float[] x = Random(rng, N * In), w = Random(rng, Out * In), b = Random(rng, Out), y = new float[N * Out];

        Linear.Forward(y, x, w, b, N, In, Out);

        for (int n = 0; n < N; n++)
            for (int o = 0; o < Out; o++)
            {
                double expected = b[o];
                for (int i = 0; i < In; i++) expected += (double)x[n * In + i] * w[o * In + i];
                Assert.Equal(expected, y[n * Out + o], 1e-4);
            }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BackwardMatchesFiniteDifferences(bool withBias)
    {
        var rng = new Random(2);
        float[] x = Random(rng, N * In), w = Random(rng, Out * In), b = withBias ? Random(rng, Out) : [], r = Random(rng, N * Out);
        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[b.Length];
        double Loss()
        {
            var y = new float[N * Out];
            Linear.Forward(y, x, w, b, N, In, Out);
            return Dot(r, y);
        }

        Linear.Backward(dx, dw, db, r, x, w, N, In, Out);

        Check("dx", x, dx, Loss);
        Check("dw", w, dw, Loss);
        if (withBias) Check("dbias", b, db, Loss);
    }

    [Fact]
    public void BackwardAccumulatesIntoExistingGradients()
    {
        var rng = new Random(3);
        float[] x = Random(rng, N * In), w = Random(rng, Out * In), r = Random(rng, N * Out);
        float[] once = new float[w.Length], twice = new float[w.Length];

        Linear.Backward(default, once, default, r, x, w, N, In, Out);
        Linear.Backward(default, twice, default, r, x, w, N, In, Out);
        Linear.Backward(default, twice, default, r, x, w, N, In, Out);

        for (int i = 0; i < w.Length; i++) Assert.Equal(2 * once[i], twice[i], 1e-5);
    }
}
