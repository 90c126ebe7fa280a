namespace DiSRouter.Models.Kernels;

/// <summary>
/// Single-precision matrix multiply, row-major: C = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ.
/// <c>lda</c>/<c>ldb</c>/<c>ldc</c> are the row strides of the matrices as stored (so a sub-matrix view is
/// a pointer plus the parent's stride). beta = 0 overwrites C without reading it (NaN garbage is fine).
/// </summary>
public static unsafe class Gemm
{
    /// <summary>C(m, n) = alpha·op(A)(m, k)·op(B)(k, n) + beta·C. A is stored (m, k), or (k, m) when transA; B is stored (k, n), or (n, k) when transB.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m <= 0 || n <= 0) return;
        ScaleC(m, n, beta, c, ldc);
        if (k <= 0 || alpha == 0f) return;
        for (int i = 0; i < m; i++)
        {
            float* crow = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                    float bv = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                    sum += av * bv;
                }
                crow[j] += alpha * sum;
            }
        }
    }

    /// <summary>Span form: checks that every view fits its buffer, pins, and calls the pointer form.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckView(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda);
        CheckView(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckView(nameof(c), c.Length, m, n, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>Array form (same checks as the span form).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
        => Sgemm(transA, transB, m, n, k, alpha, (ReadOnlySpan<float>)a, lda, (ReadOnlySpan<float>)b, ldb, beta, (Span<float>)c, ldc);

    /// <summary>
    /// <c>batch</c> independent products: matrix i of A starts at <c>a + i·strideA</c> (likewise B and C). The batch is
    /// spread over <see cref="EngineThreads"/>; each product runs on one thread (they are small, e.g. attention per head).
    /// A stride of 0 reuses one matrix for every product (a shared weight).
    /// </summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, long strideA, float* b, int ldb, long strideB, float beta, float* c, int ldc, long strideC, int batch)
    {
        for (int i = 0; i < batch; i++)
            Sgemm(transA, transB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb, beta, c + i * strideC, ldc);
    }

    /// <summary>Span form of <see cref="SgemmStridedBatched(bool, bool, int, int, int, float, float*, int, long, float*, int, long, float, float*, int, long, int)"/>.</summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB, float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        if (batch <= 0) return;
        CheckBatch(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, strideA, batch);
        CheckBatch(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, strideB, batch);
        CheckBatch(nameof(c), c.Length, m, n, ldc, strideC, batch);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            SgemmStridedBatched(transA, transB, m, n, k, alpha, pa, lda, strideA, pb, ldb, strideB, beta, pc, ldc, strideC, batch);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void CheckView(string name, int length, int rows, int cols, int ld)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(name, $"Matrix {name} has a negative dimension ({rows}×{cols}).");
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentOutOfRangeException(name, $"Leading dimension of {name} ({ld}) is smaller than its stored row width ({cols}).");
        long needed = (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"Matrix {name} needs {needed} floats ({rows}×{cols}, stride {ld}) but the buffer holds {length}.", name);
    }

    private static void CheckBatch(string name, int length, int rows, int cols, int ld, long stride, int batch)
    {
        CheckView(name, length, rows, cols, ld);
        if (rows == 0 || cols == 0) return;
        if (stride < 0) throw new ArgumentOutOfRangeException(name, $"Batch stride of {name} is negative ({stride}).");
        long needed = stride * (batch - 1) + (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"Batched matrix {name} needs {needed} floats ({batch} × {rows}×{cols}, stride {ld}, batch stride {stride}) but the buffer holds {length}.", name);
    }
}
