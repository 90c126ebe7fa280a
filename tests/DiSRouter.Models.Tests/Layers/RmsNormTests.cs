using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class RmsNormTests
{
    private const int N = 6, C = 70; // C not a multiple of the SIMD width, and more than one column block for dw
    private const float Eps = 1e-5f;

    [Fact]
    public void ForwardDividesByTheRootMeanSquareAndScales()
    {
        var rng = new Random(1);
        float[] x = Random(rng, N * C, 3), w = Random(rng, C), y = new float[N * C], rstd = new float[N];

        RmsNorm.Forward(y, rstd, x, w, N, C, Eps);

        for (int n = 0; n < N; n++)
        {
            double ms = 0;
            for (int c = 0; c < C; c++) ms += (double)x[n * C + c] * x[n * C + c] / C;
            double r = 1 / Math.Sqrt(ms + Eps);
            Assert.Equal(r, rstd[n], 1e-4);
            for (int c = 0; c < C; c++) Assert.Equal(x[n * C + c] * r * w[c], y[n * C + c], 1e-4);
        }
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var rng = new Random(2);
        float[] x = Random(rng, N * C, 2), w = Random(rng, C), r = Random(rng, N * C);
        float[] dx = new float[x.Length], dw = new float[w.Length], rstd = new float[N], y = new float[N * C];
        double Loss() { var o = new float[N * C]; RmsNorm.Forward(o, default, x, w, N, C, Eps); return Dot(r, o); }

        RmsNorm.Forward(y, rstd, x, w, N, C, Eps);
        RmsNorm.Backward(dx, dw, r, x, w, rstd, N, C);

        Check("dx", x, dx, Loss, maxChecks: 200);
        Check("dw", w, dw, Loss);
    }
}
