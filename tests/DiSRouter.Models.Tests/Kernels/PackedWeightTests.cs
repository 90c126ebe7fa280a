using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

// Tests that change Gemm's blocking tunables share one collection, so that none reads another's setting mid-test.
[Collection(GemmTunables.Name)]
public sealed class PackedWeightTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 33, 17 },     // one row: the packing-free path on the raw weight
        { 8, 100, 64 },    // the last row count of that path
        { 9, 100, 64 },    // the first of the packed path
        { 46, 344, 64 },   // nano-3's gate/up over a prompt
        { 46, 64, 172 },   // nano-3's down
        { 40, 16, 45 },    // one 16-wide panel
        { 20, 48, 50 },    // a full panel and a half one
        { 129, 65, 530 },  // several depth blocks, and the parallel path
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PrepackedProductEqualsThePlainProductBitForBit(int m, int n, int k)
    {
        var rng = new Random(m * 7919 + n * 31 + k);
        var a = Random(rng, m * k);
        var w = Random(rng, n * k);
        var c0 = Random(rng, m * n);
        foreach (var (alpha, beta) in new[] { (1f, 0f), (1f, 1f), (0.5f, 2f) })
        {
            var expected = (float[])c0.Clone();
            Gemm.Sgemm(false, true, m, n, k, alpha, a, k, w, k, beta, expected, n);
            var actual = (float[])c0.Clone();
            Gemm.Sgemm(m, alpha, a, k, new PackedWeight(w, n, k), beta, actual, n);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void PrepackedProductKeepsTheBlockingItWasPackedUnder()
    {
        // Several column blocks: the panels of block after block must be read in the order they were written.
        var rng = new Random(5);
        int m = 50, n = 150, k = 530;
        var a = Random(rng, m * k);
        var w = Random(rng, n * k);
        var expected = new float[m * n];
        var actual = new float[m * n];
        int savedNc = Gemm.NC;
        PackedWeight packed;
        try
        {
            Gemm.NC = 64;
            packed = new PackedWeight(w, n, k);
            Gemm.Sgemm(false, true, m, n, k, 1f, a, k, w, k, 0f, expected, n);
        }
        finally
        {
            Gemm.NC = savedNc;
        }
        Gemm.Sgemm(m, 1f, a, k, packed, 0f, actual, n);
        Assert.Equal(expected, actual);
        Assert.Equal(64, packed.NcLimit);
    }

    [Fact]
    public void BadShapesAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => new PackedWeight(new float[10], 4, 3));
        Assert.Contains("needs 12 floats", e.Message);
        var packed = new PackedWeight(new float[12], 4, 3);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(2, 1f, new float[5], 3, packed, 0f, new float[8], 4));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(2, 1f, new float[6], 3, packed, 0f, new float[7], 4));
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
