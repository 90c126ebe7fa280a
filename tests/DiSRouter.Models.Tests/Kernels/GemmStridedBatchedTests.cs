using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

public sealed class GemmStridedBatchedTests
{
    [Theory]
    [InlineData(false, true, 64, 64, 16, 12)]    // attention scores S = Q·Kᵀ per (batch, head)
    [InlineData(false, false, 64, 16, 64, 12)]   // attention output Y = P·V
    [InlineData(true, false, 17, 9, 31, 5)]
    [InlineData(true, true, 3, 65, 7, 7)]
    [InlineData(false, true, 1, 40, 32, 8)]      // generation: one query row per head
    public void EveryProductOfTheBatchMatchesTheReference(bool transA, bool transB, int m, int n, int k, int batch)
    {
        var random = new Random(m * 100 + batch);
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        // Matrices laid out with a gap between them, to check that strides (not sizes) locate each one.
        long strideA = aRows * aCols + 5, strideB = bRows * bCols + 3, strideC = m * n + 7;
        var a = Fill(new float[strideA * batch], random);
        var b = Fill(new float[strideB * batch], random);
        var sut = Fill(new float[strideC * batch], random);
        var c0 = (float[])sut.Clone();

        Gemm.SgemmStridedBatched(transA, transB, m, n, k, 0.5f, a, aCols, strideA, b, bCols, strideB, 1f, sut, n, strideC, batch);

        for (int i = 0; i < batch; i++)
        {
            var ai = View(a, i * strideA, aRows, aCols);
            var bi = View(b, i * strideB, bRows, bCols);
            var ci = View(sut, i * strideC, m, n);
            var c0i = View(c0, i * strideC, m, n).Data;
            Assert.Null(GemmReference.Check(transA, transB, m, n, k, 0.5f, ai, bi, 1f, c0i, ci));
        }
        for (int i = 0; i < batch; i++)
            for (long g = i * strideC + m * n; g < (i + 1) * strideC; g++)
                Assert.Equal(c0[g], sut[g]);   // the gaps between the C matrices are untouched
    }

    [Fact]
    public void StrideZeroSharesOneMatrixAcrossTheBatch()
    {
        var random = new Random(8);
        const int m = 20, n = 24, k = 18, batch = 6;
        var a = Fill(new float[m * k * batch], random);
        var w = Fill(new float[n * k], random);                 // one weight (n, k) for every product
        var sut = new float[m * n * batch];
        Gemm.SgemmStridedBatched(false, true, m, n, k, 1f, a, k, m * k, w, k, 0, 0f, sut, n, m * n, batch);
        var wv = View(w, 0, n, k);
        for (int i = 0; i < batch; i++)
            Assert.Null(GemmReference.Check(false, true, m, n, k, 1f, View(a, i * m * k, m, k), wv, 0f, new float[m * n], View(sut, i * m * n, m, n)));
    }

    [Fact]
    public void SpanFormRejectsABatchThatRunsPastTheBuffer()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmStridedBatched(false, false, 2, 2, 2, 1f, new float[8], 2, 4, new float[8], 2, 4, 0f, new float[7], 2, 4, 2));
        Assert.Equal("c", error.ParamName);
    }

    private static float[] Fill(float[] data, Random random)
    {
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }

    private static StoredMatrix View(float[] data, long offset, int rows, int cols)
    {
        var view = new StoredMatrix(rows, cols, cols, new Random(0));
        Array.Copy(data, offset, view.Data, 0, rows * cols);
        return view;
    }
}
