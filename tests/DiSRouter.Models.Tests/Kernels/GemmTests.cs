using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

// Tests that change Gemm's blocking tunables share one collection, so that none reads another's setting mid-test.
[Collection(GemmTunables.Name)]
public sealed class GemmTests
{
    private static readonly int[] Sizes = [1, 3, 7, 17, 31, 63, 65, 129, 200];

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        // Every size once along each axis against a few partners, plus the engine's typical shapes.
        foreach (int s in Sizes)
        {
            data.Add(s, 33, 17);
            data.Add(40, s, 29);
            data.Add(23, 35, s);
        }
        data.Add(129, 65, 200);
        data.Add(200, 129, 63);
        data.Add(40, 16, 45);     // exactly one 16-wide panel
        data.Add(33, 32, 70);     // exactly one 32-wide panel
        data.Add(20, 48, 50);     // a full panel and a half one
        data.Add(64, 64, 16);     // attention scores, one head
        data.Add(96, 192, 64);    // a small linear layer
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ProductMatchesReferenceForAllFourTransposeCombinations(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                AssertProduct(transA, transB, m, n, k, alpha: 1f, beta: 0f, padding: 0, seed: m * 7919 + n * 31 + k);
    }

    // The tile edges of every path: 8 × 32 tiles and 128-row blocks on the 512-bit path, 6 × 16 and 126 on the 256-bit,
    // 3 × 16 on the 128-bit; one short of, at and one past each, with depths across a block boundary and accumulation
    // into C (CI runs this under DISROUTER_SIMD_PATH=512 too, where the 32-wide panels are taken without AVX-512).
    public static TheoryData<int, int, int> TileEdges()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in new[] { 9, 16, 17, 127, 128, 129, 257 })
            foreach (int n in new[] { 17, 31, 32, 33, 64, 97 })
                data.Add(m, n, m % 2 == 0 ? 256 : 257);
        return data;
    }

    [Theory]
    [MemberData(nameof(TileEdges))]
    public void ProductsAtEveryPathsTileEdgesMatchTheReference(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                AssertProduct(transA, transB, m, n, k, alpha: 0.75f, beta: 0.5f, padding: 3, seed: m * 131 + n * 7 + k);
    }

    [Theory]
    [InlineData(0.5f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-1.5f, 0.25f)]
    [InlineData(2f, -1f)]
    public void AlphaAndBetaScaleTheProductAndTheOldC(float alpha, float beta)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                AssertProduct(transA, transB, 37, 45, 300, alpha, beta, padding: 0, seed: 11);  // two depth blocks
                AssertProduct(transA, transB, 5, 45, 70, alpha, beta, padding: 0, seed: 12);    // small-M path
            }
    }

    [Fact]
    public void BetaZeroOverwritesNaNGarbageInC()
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (int m in new[] { 1, 4, 50 })
                {
                    var random = new Random(5);
                    var a = new StoredMatrix(transA ? 33 : m, transA ? m : 33, transA ? m : 33, random);
                    var b = new StoredMatrix(transB ? 40 : 33, transB ? 33 : 40, transB ? 33 : 40, random);
                    var c = new StoredMatrix(m, 40, 40, random, fill: float.NaN, randomValues: false);
                    Gemm.Sgemm(transA, transB, m, 40, 33, 1f, a.Data, a.Ld, b.Data, b.Ld, 0f, c.Data, c.Ld);
                    Assert.Null(GemmReference.Check(transA, transB, m, 40, 33, 1f, a, b, 0f, c.Data, c));
                }
    }

    [Fact]
    public void BetaOneAccumulatesOverRepeatedCalls()
    {
        var random = new Random(3);
        var a = new StoredMatrix(70, 90, 90, random);
        var b = new StoredMatrix(90, 50, 50, random);
        var sut = new float[70 * 50];
        var once = new float[70 * 50];
        Gemm.Sgemm(false, false, 70, 50, 90, 1f, a.Data, 90, b.Data, 50, 0f, once, 50);
        for (int i = 0; i < 3; i++) Gemm.Sgemm(false, false, 70, 50, 90, 1f, a.Data, 90, b.Data, 50, 1f, sut, 50);
        for (int i = 0; i < sut.Length; i++) Assert.Equal(3 * once[i], sut[i], Math.Abs(3 * once[i]) * 1e-5f + 1e-5f);
    }

    [Theory]
    [InlineData(1, 70, 40)]
    [InlineData(6, 33, 129)]
    [InlineData(45, 77, 65)]
    [InlineData(130, 40, 300)]
    public void SubMatrixViewsWithLargerLeadingDimensionsReadAndWriteOnlyTheView(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                AssertProduct(transA, transB, m, n, k, alpha: 1f, beta: 0.5f, padding: 13, seed: m + n + k);
    }

    [Theory]
    [InlineData(1, 704, 256)]
    [InlineData(1, 256, 704)]
    [InlineData(1, 264, 64)]
    [InlineData(2, 13, 17)]
    [InlineData(3, 70, 15)]
    [InlineData(5, 9, 1)]
    [InlineData(8, 129, 33)]
    [InlineData(7, 64, 512)]
    public void SmallRowCountsTakeTheGemvPathAndMatchTheReference(int m, int n, int k)
    {
        foreach (bool transB in new[] { false, true })
        {
            AssertProduct(false, transB, m, n, k, alpha: 1f, beta: 0f, padding: 0, seed: 17 * m + n);
            AssertProduct(false, transB, m, n, k, alpha: 0.75f, beta: 1f, padding: 3, seed: 19 * m + n);
        }
    }

    [Fact]
    public void ZeroDepthOrZeroAlphaOnlyScalesC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 1, [], 3, 2f, c, 3);
        Assert.Equal([2f, 4, 6, 8, 10, 12], c);
        var nan = new float[] { float.NaN, float.NaN };
        Gemm.Sgemm(false, true, 1, 2, 2, 0f, new float[] { 1, 1 }, 2, new float[] { 1, 1, 1, 1 }, 2, 0f, nan, 2);
        Assert.Equal([0f, 0f], nan);
    }

    [Fact]
    public void ProductsDeeperAndWiderThanOneBlockMatchTheReference()
    {
        int savedNc = Gemm.NC;
        try
        {
            // Force several column blocks as well as several depth blocks (and the parallel path).
            Gemm.NC = 64;
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    AssertProduct(transA, transB, 50, 150, 530, alpha: 1f, beta: 1f, padding: 2, seed: 99);
        }
        finally
        {
            Gemm.NC = savedNc;
        }
    }

    [Fact]
    public void SpanFormRejectsBuffersTooSmallForTheView()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[3];
        var error = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.Contains("c", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, new float[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }

    [Fact]
    public void ConcurrentCallsFromSeveralThreadsAllGetCorrectResults()
    {
        const int threads = 6;
        var failures = new string?[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (int round = 0; round < 4 && failures[t] is null; round++)
            {
                bool transA = (t + round) % 2 == 0, transB = (t / 2 + round) % 2 == 0;
                int m = round % 2 == 0 ? 70 : 3, n = 96 + t, k = 120 + round;   // 70 rows: the threaded packed path
                var a = new StoredMatrix(transA ? k : m, transA ? m : k, transA ? m : k, random);
                var b = new StoredMatrix(transB ? n : k, transB ? k : n, transB ? k : n, random);
                var c = new StoredMatrix(m, n, n, random);
                float[] c0 = (float[])c.Data.Clone();
                Gemm.Sgemm(transA, transB, m, n, k, 1f, a.Data, a.Ld, b.Data, b.Ld, 0.5f, c.Data, c.Ld);
                failures[t] = GemmReference.Check(transA, transB, m, n, k, 1f, a, b, 0.5f, c0, c);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        Assert.All(workers, w => Assert.True(w.Join(TimeSpan.FromSeconds(30)), "a thread did not finish"));
        Assert.All(failures, Assert.Null);
    }

    // ---------------------------------------------------------------------------------------------

    private static void AssertProduct(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int padding, int seed)
    {
        var random = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        var a = new StoredMatrix(aRows, aCols, aCols + padding, random);
        var b = new StoredMatrix(bRows, bCols, bCols + padding, random);
        var c = new StoredMatrix(m, n, n + padding, random);
        if (beta == 0f)
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c.Data[i * c.Ld + j] = float.NaN;
        float[] c0 = (float[])c.Data.Clone();
        Gemm.Sgemm(transA, transB, m, n, k, alpha, a.Data, a.Ld, b.Data, b.Ld, beta, c.Data, c.Ld);
        Assert.Null(GemmReference.Check(transA, transB, m, n, k, alpha, a, b, beta, c0, c));
    }
}
