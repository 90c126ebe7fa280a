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

    // Decoding shapes read from the panels (PanelGemv): config c's q|k|v, gate|up and down, depths in blocks that do not
    // start at a multiple of the vector width (704 = 3 × 235), depth tails (k mod 8), short depths, column tails (n mod 8,
    // n mod 16 = 8), every row count up to Gemm.SmallM, one thread and two.
    public static TheoryData<int, int, int> DecodeShapes() => new()
    {
        { 1, 768, 256 }, { 1, 1408, 256 }, { 1, 256, 704 }, { 1, 64, 256 },
        { 2, 256, 704 }, { 3, 200, 703 }, { 4, 100, 13 }, { 5, 24, 5 }, { 6, 40, 530 }, { 7, 1000, 257 }, { 8, 72, 704 },
        { 1, 8, 3 }, { 1, 7, 9 }, { 2, 136, 1 },
    };

    [Theory]
    [MemberData(nameof(DecodeShapes))]
    public unsafe void DecodingFromThePanelsEqualsTheRawRowsBitForBit(int m, int n, int k)
    {
        var rng = new Random(m * 104729 + n * 131 + k);
        var a = Random(rng, m * k);
        var w = Random(rng, n * k);
        var c0 = Random(rng, m * n);
        var packed = new PackedWeight(w, n, k);
        foreach (var (alpha, beta) in new[] { (1f, 0f), (1f, 1f), (0.5f, 2f) })
        {
            var expected = (float[])c0.Clone();
            Gemm.Sgemm(false, true, m, n, k, alpha, a, k, w, k, beta, expected, n);
            var actual = (float[])c0.Clone();
            Gemm.Sgemm(m, alpha, a, k, packed, beta, actual, n);
            Assert.Equal(expected, actual);
            if (!PanelGemv.Applies(packed)) continue;
            foreach (int threads in new[] { 1, 2 })   // the split over threads, whatever the pool has free
            {
                actual = (float[])c0.Clone();
                fixed (float* pa = a)
                fixed (float* pc = actual)
                    PanelGemv.Run(m, alpha, pa, k, packed, beta, pc, n, threads);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void DecodingReadsThePanelsOnTheNarrowPathsOfX64()
    {
        // The bit-for-bit tests above would pass vacuously if the panel path switched itself off; on x64 it must not.
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && !SimdPath.Is512 && System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            Assert.True(PanelGemv.Available);
        if (SimdPath.Is512) Assert.False(PanelGemv.Available);
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
        // Decoding rows read the same panels block after block.
        var expectedRow = new float[3 * n];
        var actualRow = new float[3 * n];
        Gemm.Sgemm(false, true, 3, n, k, 1f, a, k, w, k, 0f, expectedRow, n);
        Gemm.Sgemm(3, 1f, a, k, packed, 0f, actualRow, n);
        Assert.Equal(expectedRow, actualRow);
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
