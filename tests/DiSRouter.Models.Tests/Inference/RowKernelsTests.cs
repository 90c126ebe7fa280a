using DiSRouter.Models.Inference;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Tests.Inference;

/// <summary>
/// The inference forward's row kernels against the layer kernels training uses: the same rotation and SwiGLU bit for
/// bit, the same norm up to the order of a sum, at widths that are whole vectors and widths with a scalar tail.
/// </summary>
public sealed unsafe class RowKernelsTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(128)]
    [InlineData(40)]   // two vectors and a tail of 8
    [InlineData(7)]    // no whole vector
    public void RmsNormRowsMatchTheLayerNorm(int channels)
    {
        const int rows = 5;
        var x = Random(rows * channels, seed: 1, scale: 3f);
        var w = Random(channels, seed: 2, scale: 1f);
        var expected = new float[rows * channels];
        RmsNorm.Forward(expected, default, x, w, rows, channels, 1e-6f);

        var actual = new float[rows * channels];
        fixed (float* po = actual, px = x, pw = w) RowKernels.RmsNorm(po, px, pw, 0, rows, channels, 1e-6f);

        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * (1 + Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void RmsNormRowsTouchOnlyTheirRows()
    {
        const int channels = 32;
        var x = Random(4 * channels, seed: 3, scale: 1f);
        var w = Random(channels, seed: 4, scale: 1f);
        var output = Enumerable.Repeat(-7f, 4 * channels).ToArray();
        fixed (float* po = output, px = x, pw = w) RowKernels.RmsNorm(po, px, pw, 1, 3, channels, 1e-6f);
        Assert.All(output[..channels], v => Assert.Equal(-7f, v));
        Assert.All(output[(3 * channels)..], v => Assert.Equal(-7f, v));
        Assert.Contains(output[channels..(3 * channels)], v => v != -7f);
    }

    [Theory]
    [InlineData(16, 2, 2)]   // half 8: one vector per half
    [InlineData(24, 4, 2)]   // half 12: a vector and a scalar tail (nano-4's heads)
    [InlineData(32, 4, 2)]   // half 16: two vectors (nano-5's heads)
    [InlineData(6, 3, 1)]    // half 3: scalar only
    public void RotateAndCacheTurnsQAndKAsRopeDoesAndFillsTheCache(int headDim, int heads, int kvHeads)
    {
        const int time = 5, pos0 = 7, maxT = 16, cacheRows = 2;
        int dq = heads * headDim, dkv = kvHeads * headDim, width = dq + 2 * dkv;
        var table = new RopeTable(maxT, headDim, 10000);
        var qkv = Random(time * width, seed: 5, scale: 2f);

        // Rope, row by row over the q and k heads of the fused rows (v is left alone).
        var expected = (float[])qkv.Clone();
        for (int n = 0; n < time; n++)
        {
            var qk = expected.AsSpan(n * width, dq + dkv);
            Rope.Forward(qk, qk, 1, heads + kvHeads, 1, pos0 + n, table);
        }

        var actual = (float[])qkv.Clone();
        var k = new float[cacheRows * kvHeads * maxT * headDim];
        var v = new float[k.Length];
        int[] rows = [1];
        fixed (float* pq = actual, pk = k, pv = v, pc = table.Cos, ps = table.Sin)
        fixed (int* pr = rows)
            RowKernels.RotateAndCache(pq, pk, pv, pr, 0, time, time, pos0, heads, kvHeads, headDim, maxT, pc, ps);

        Assert.Equal(expected, actual);
        for (int n = 0; n < time; n++)
            for (int g = 0; g < kvHeads; g++)
            {
                int slot = ((1 * kvHeads + g) * maxT + pos0 + n) * headDim;
                Assert.Equal(actual.AsSpan(n * width + dq + g * headDim, headDim).ToArray(), k.AsSpan(slot, headDim).ToArray());
                Assert.Equal(actual.AsSpan(n * width + dq + dkv + g * headDim, headDim).ToArray(), v.AsSpan(slot, headDim).ToArray());
            }
        Assert.All(k.AsSpan(0, kvHeads * maxT * headDim).ToArray(), x => Assert.Equal(0f, x)); // cache row 0 untouched
    }

    [Theory]
    [InlineData(96)]
    [InlineData(352)]
    [InlineData(20)]  // a vector and a tail of 4
    public void SwiGluRowsMatchTheLayerBitForBit(int intermediate)
    {
        const int rows = 3;
        var gateUp = Random(rows * 2 * intermediate, seed: 6, scale: 6f);
        var expected = new float[rows * intermediate];
        for (int n = 0; n < rows; n++)
            SwiGlu.Forward(expected.AsSpan(n * intermediate, intermediate), gateUp.AsSpan(n * 2 * intermediate, intermediate),
                gateUp.AsSpan(n * 2 * intermediate + intermediate, intermediate));

        var actual = new float[rows * intermediate];
        fixed (float* ph = actual, pg = gateUp) RowKernels.SwiGlu(ph, pg, 0, rows, intermediate);

        Assert.Equal(expected, actual);
    }

    private static float[] Random(int n, int seed, float scale)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }
}
