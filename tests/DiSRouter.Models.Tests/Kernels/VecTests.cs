using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

public sealed class VecTests
{
    private static readonly int[] Lengths = [0, 1, 7, 16, 17, 63, 64, 65, 200, 1000];

    private static float[] Random(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(random.NextDouble() * 4 - 2);
        return x;
    }

    [Fact]
    public void DotSumAndMaxMatchScalarLoopsForEveryLength()
    {
        foreach (int n in Lengths)
        {
            float[] x = Random(n, n), y = Random(n, n + 1);
            double dot = 0, sum = 0, abs = 0;
            for (int i = 0; i < n; i++) { dot += (double)x[i] * y[i]; sum += x[i]; abs += Math.Abs(x[i]); }
            double tol = 1e-5 * Math.Sqrt(n + 1) * (abs + 1) * 2;
            Assert.Equal(dot, Vec.Dot(x, y), tol);
            Assert.Equal(sum, Vec.Sum(x), tol);
            if (n > 0) Assert.Equal(x.Max(), Vec.Max(x));
        }
    }

    [Fact]
    public void MaxFindsTheLargestElementWhereverItIsAndPropagatesNaN()
    {
        for (int pos = 0; pos < 40; pos++)
        {
            var x = new float[40];
            Array.Fill(x, -3f);
            x[pos] = 5f;
            Assert.Equal(5f, Vec.Max(x));
            x[(pos + 7) % 40] = float.NaN;
            Assert.True(float.IsNaN(Vec.Max(x)));
        }
        Assert.Throws<ArgumentException>(() => Vec.Max([]));
    }

    [Fact]
    public void AxpyScaleAndAddUpdateEveryElement()
    {
        foreach (int n in Lengths)
        {
            float[] x = Random(n, 3), y = Random(n, 4);
            var sut = (float[])y.Clone();
            Vec.Axpy(0.5f, x, sut);
            for (int i = 0; i < n; i++) Assert.Equal(y[i] + 0.5f * x[i], sut[i], 1e-6f);

            Vec.Scale(sut, -2f);
            for (int i = 0; i < n; i++) Assert.Equal(-2f * (y[i] + 0.5f * x[i]), sut[i], 1e-5f);

            var sum = new float[n];
            Vec.Add(x, y, sum);
            for (int i = 0; i < n; i++) Assert.Equal(x[i] + y[i], sum[i]);
        }
        Assert.Throws<ArgumentException>(() => Vec.Dot(new float[3], new float[4]));
    }

    [Fact]
    public void SoftmaxSumsToOneAndMatchesTheDoubleFormula()
    {
        foreach (int n in Lengths.Where(l => l > 0))
        {
            float[] x = Random(n, 9);
            for (int i = 0; i < n; i++) x[i] *= 10;   // logits far apart: the max subtraction matters
            var sut = (float[])x.Clone();
            Vec.SoftmaxInPlace(sut);
            double max = x.Max(), z = x.Sum(v => Math.Exp(v - max));
            for (int i = 0; i < n; i++) Assert.Equal(Math.Exp(x[i] - max) / z, sut[i], 1e-6 + 1e-5 * sut[i]);
            Assert.Equal(1.0, sut.Sum(v => (double)v), 1e-5);
        }
    }

    [Fact]
    public void SoftmaxOfAFullyMaskedRowIsZeroAndMaskedPositionsGetZero()
    {
        var masked = new float[20];
        Array.Fill(masked, float.NegativeInfinity);
        Vec.SoftmaxInPlace(masked);
        Assert.All(masked, v => Assert.Equal(0f, v));

        var causal = new float[] { 1f, 2f, float.NegativeInfinity, float.NegativeInfinity };
        Vec.SoftmaxInPlace(causal);
        Assert.Equal(0f, causal[2]);
        Assert.Equal(1f, causal[0] + causal[1], 1e-6f);
    }
}
