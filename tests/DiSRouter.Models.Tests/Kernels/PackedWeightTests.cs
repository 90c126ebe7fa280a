using DiSRouter.Models.Kernels;
using DiSRouter.Models.Inference;

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
    // start at a multiple of the vector width (704 = 3 × 235), depth tails (k mod 8, k mod 16), short depths, column tails
    // (n mod 8, n mod 16 = 8, and on the 512-bit path's 32-wide panels 8, 16 or 24 live columns in the last panel),
    // 16-wide panels on the 512-bit path (n ≤ 16), every row count up to Gemm.SmallM, one thread and two.
    public static TheoryData<int, int, int> DecodeShapes() => new()
    {
        { 1, 768, 256 }, { 1, 1408, 256 }, { 1, 256, 704 }, { 1, 64, 256 },
        { 2, 256, 704 }, { 3, 200, 703 }, { 4, 100, 13 }, { 5, 24, 5 }, { 6, 40, 530 }, { 7, 1000, 257 }, { 8, 72, 704 },
        { 1, 8, 3 }, { 1, 7, 9 }, { 2, 136, 1 },
        { 1, 16, 40 }, { 3, 13, 47 }, { 2, 48, 31 }, { 5, 56, 235 }, { 1, 88, 17 },
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
    public void DecodingReadsThePanelsOnEveryPathOfX64()
    {
        // The bit-for-bit tests above would pass vacuously if the panel path switched itself off; on x64 it must not,
        // on the 512-bit path (forced and emulated where the machine has no AVX-512) as on the narrower ones.
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported && SimdPath.Is512)
            Assert.True(PanelGemv.Available);
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && !SimdPath.Is512 && System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            Assert.True(PanelGemv.Available);
        // Both panel widths of the 512-bit path (16 for n ≤ 16, else 32), and the 256- and 128-bit paths' 16, are read.
        Assert.True(PanelGemv.Applies(new PackedWeight(new float[16 * 40], 16, 40)) == PanelGemv.Available);
        Assert.True(PanelGemv.Applies(new PackedWeight(new float[48 * 40], 48, 40)) == PanelGemv.Available);
    }

    [Fact]
    public void DecodeStepsFromThePanelsGiveTheRawRowsLogitsBitForBit()
    {
        // The whole decoder, prompt pass then token after token: with the panels read (PanelGemv, on every path of x64)
        // and with the raw rows (the arithmetic decoding had before the panels, on this path), the same logits bit for bit.
        // Head size 32: 32-wide panels on the 512-bit path, and an LM head of 264 = 8 × 32 + 8 columns (a part panel).
        var model = Inference.TinyModels.Create(seed: 24, headDim: 32);
        var tokens = Enumerable.Range(0, 20).Select(i => (i * 71 + 5) % 264).ToArray();
        int v = model.Config.VocabSize, prompt = 7;

        List<float[]> Decode()
        {
            var weights = InferenceWeights.For(model);
            var ws = new Workspace(model.Config, prompt, 1, 1, tokens.Length);
            var steps = new List<float[]>();
            Decoder.Forward(weights, ws, tokens.AsSpan(0, prompt), 1, prompt, 0, [0], allLogits: false);
            steps.Add(ws.Logits.AsSpan(0, v).ToArray());
            for (int t = prompt; t < tokens.Length; t++)
            {
                Decoder.Forward(weights, ws, tokens.AsSpan(t, 1), 1, 1, t, [0], allLogits: false);
                steps.Add(ws.Logits.AsSpan(0, v).ToArray());
            }
            return steps;
        }

        var fromPanels = Decode();
        List<float[]> fromRows;
        try
        {
            Gemm.UsePrepackedPanels = false;
            fromRows = Decode();
        }
        finally
        {
            Gemm.UsePrepackedPanels = true;
        }
        Assert.Equal(fromRows.Count, fromPanels.Count);
        for (int t = 0; t < fromRows.Count; t++) Assert.Equal(fromRows[t], fromPanels[t]);
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
