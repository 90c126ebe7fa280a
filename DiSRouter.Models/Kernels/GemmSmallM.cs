using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// C(m ≤ 8, n) = alpha·A·op(B) + beta·C without packing: the shape of token-by-token generation, where each
/// weight is read once per token and the product is bound by memory bandwidth, not FMAs. Packing B would
/// read and write the whole weight once more per call. The 512-bit path (see <see cref="SimdPath"/>) runs Vector512
/// loops; the 256- and 128-bit paths run the same loops over <see cref="Vector{T}"/> (8 or 4 lanes), with one row of A
/// per pass over W so that the accumulators fit 16 registers.
/// </summary>
internal static unsafe class GemmSmallM
{
    internal const long ParallelMinWeights = 1L << 15;   // n·k floats of B below which one thread is faster
    private const int RowsPerGroup = 8;                  // W rows dotted together (transB)
    private const int ColsPerBlock = 64;                 // C columns accumulated in registers (not transB)

    public static void Run(bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads)
    {
        int unit = transB ? RowsPerGroup : ColsPerBlock;
        int units = (n + unit - 1) / unit;
        var body = new Body { TransB = transB, M = m, N = n, K = k, Alpha = alpha, A = a, Lda = lda, B = b, Ldb = ldb, Beta = beta, C = c, Ldc = ldc };
        if (threads > 1 && (long)n * k >= ParallelMinWeights && units >= 2)
        {
            // A few chunks per thread: whole groups, so no two threads share a cache line of C more than necessary.
            int chunks = Math.Min(units, threads * 4);
            body.UnitsPerChunk = (units + chunks - 1) / chunks;
            body.Unit = unit;
            EngineThreads.ParallelFor((units + body.UnitsPerChunk - 1) / body.UnitsPerChunk, body);
        }
        else
        {
            body.UnitsPerChunk = units;
            body.Unit = unit;
            body.Invoke(0);
        }
    }

    private struct Body : IParallelBody
    {
        public bool TransB; public int M, N, K; public float Alpha, Beta;
        public float* A; public int Lda; public float* B; public int Ldb; public float* C; public int Ldc;
        public int Unit, UnitsPerChunk;

        public readonly void Invoke(int chunk)
        {
            int j0 = chunk * UnitsPerChunk * Unit;
            int j1 = Math.Min(N, j0 + UnitsPerChunk * Unit);
            if (TransB) DotRows(M, j0, j1, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc);
            else AxpyRows(M, j0, j1, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // transB: C[i, j] = alpha·dot(A row i, W row j) + beta·C[i, j]; W stored (n, k).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DotRows(int m, int j0, int j1, int k, float alpha, float* a, int lda, float* w, int ldw, float beta, float* c, int ldc)
    {
        float* sums = stackalloc float[RowsPerGroup];
        float* sums2 = stackalloc float[RowsPerGroup];
        int j = j0;
        for (; j + RowsPerGroup <= j1 && !SimdPath.Is512; j += RowsPerGroup)
        {
            float* wj = w + (long)j * ldw;
            for (int i = 0; i < m; i++)
            {
                Dot8Narrow(k, a + (long)i * lda, wj, ldw, sums);
                Store(sums, RowsPerGroup, alpha, beta, c + (long)i * ldc + j);
            }
        }
        for (; j + RowsPerGroup <= j1; j += RowsPerGroup)
        {
            float* wj = w + (long)j * ldw;
            int i = 0;
            for (; i + 2 <= m; i += 2)
            {
                // Two rows of A per pass: each W load feeds two FMAs.
                Dot8x2(k, a + (long)i * lda, a + (long)(i + 1) * lda, wj, ldw, sums, sums2);
                Store(sums, RowsPerGroup, alpha, beta, c + (long)i * ldc + j);
                Store(sums2, RowsPerGroup, alpha, beta, c + (long)(i + 1) * ldc + j);
            }
            if (i < m)
            {
                Dot8(k, a + (long)i * lda, wj, ldw, sums);
                Store(sums, RowsPerGroup, alpha, beta, c + (long)i * ldc + j);
            }
        }
        for (; j < j1; j++)
        {
            float* wj = w + (long)j * ldw;
            for (int i = 0; i < m; i++)
            {
                float s = Vec.Dot(new ReadOnlySpan<float>(a + (long)i * lda, k), new ReadOnlySpan<float>(wj, k));
                float* ci = c + (long)i * ldc + j;
                *ci = beta == 0f ? alpha * s : alpha * s + beta * *ci;
            }
        }
    }

    /// <summary>sums[r] = dot(x, w row r) for 8 rows of w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot8(int k, float* x, float* w, long ldw, float* sums)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        float* w4 = w + 4 * ldw, w5 = w + 5 * ldw, w6 = w + 6 * ldw, w7 = w + 7 * ldw;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            Vector512<float> xv = Vector512.Load(x + p);
            s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w3 + p), s3);
            s4 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w4 + p), s4);
            s5 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w5 + p), s5);
            s6 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w6 + p), s6);
            s7 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w7 + p), s7);
        }
        Reduce8(s0, s1, s2, s3, s4, s5, s6, s7, sums);
        for (; p < k; p++)
        {
            float xp = x[p];
            sums[0] += xp * w0[p]; sums[1] += xp * w1[p]; sums[2] += xp * w2[p]; sums[3] += xp * w3[p];
            sums[4] += xp * w4[p]; sums[5] += xp * w5[p]; sums[6] += xp * w6[p]; sums[7] += xp * w7[p];
        }
    }

    /// <summary>sums[r] = dot(x, w row r) for 8 rows of w, in <see cref="Vector{T}"/> lanes (the 256- and 128-bit paths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot8Narrow(int k, float* x, float* w, long ldw, float* sums)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        float* w4 = w + 4 * ldw, w5 = w + 5 * ldw, w6 = w + 6 * ldw, w7 = w + 7 * ldw;
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int lanes = Vector<float>.Count, p = 0;
        // The next group's rows are fetched while this one is summed: a row is only k floats (1 KiB at k = 256), too
        // short a stream for the hardware prefetcher to catch before it ends, and decoding reads every weight once.
        float* next = w + 8 * ldw;
        for (; p + lanes <= k; p += lanes)
        {
            if (Sse.IsSupported && (p & 15) == 0)
                for (int r = 0; r < 8; r++) Sse.Prefetch0(next + r * ldw + p);
            Vector<float> xv = Vector.Load(x + p);
            s0 = Vector.MultiplyAddEstimate(xv, Vector.Load(w0 + p), s0);
            s1 = Vector.MultiplyAddEstimate(xv, Vector.Load(w1 + p), s1);
            s2 = Vector.MultiplyAddEstimate(xv, Vector.Load(w2 + p), s2);
            s3 = Vector.MultiplyAddEstimate(xv, Vector.Load(w3 + p), s3);
            s4 = Vector.MultiplyAddEstimate(xv, Vector.Load(w4 + p), s4);
            s5 = Vector.MultiplyAddEstimate(xv, Vector.Load(w5 + p), s5);
            s6 = Vector.MultiplyAddEstimate(xv, Vector.Load(w6 + p), s6);
            s7 = Vector.MultiplyAddEstimate(xv, Vector.Load(w7 + p), s7);
        }
        sums[0] = Vector.Sum(s0); sums[1] = Vector.Sum(s1); sums[2] = Vector.Sum(s2); sums[3] = Vector.Sum(s3);
        sums[4] = Vector.Sum(s4); sums[5] = Vector.Sum(s5); sums[6] = Vector.Sum(s6); sums[7] = Vector.Sum(s7);
        for (; p < k; p++)
        {
            float xp = x[p];
            sums[0] += xp * w0[p]; sums[1] += xp * w1[p]; sums[2] += xp * w2[p]; sums[3] += xp * w3[p];
            sums[4] += xp * w4[p]; sums[5] += xp * w5[p]; sums[6] += xp * w6[p]; sums[7] += xp * w7[p];
        }
    }

    /// <summary>sums[r] = dot(x, w row r) and sums2[r] = dot(y, w row r) for 8 rows of w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot8x2(int k, float* x, float* y, float* w, long ldw, float* sums, float* sums2)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        float* w4 = w + 4 * ldw, w5 = w + 5 * ldw, w6 = w + 6 * ldw, w7 = w + 7 * ldw;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            Vector512<float> xv = Vector512.Load(x + p), yv = Vector512.Load(y + p), wv;
            wv = Vector512.Load(w0 + p); s0 = Vector512.FusedMultiplyAdd(xv, wv, s0); t0 = Vector512.FusedMultiplyAdd(yv, wv, t0);
            wv = Vector512.Load(w1 + p); s1 = Vector512.FusedMultiplyAdd(xv, wv, s1); t1 = Vector512.FusedMultiplyAdd(yv, wv, t1);
            wv = Vector512.Load(w2 + p); s2 = Vector512.FusedMultiplyAdd(xv, wv, s2); t2 = Vector512.FusedMultiplyAdd(yv, wv, t2);
            wv = Vector512.Load(w3 + p); s3 = Vector512.FusedMultiplyAdd(xv, wv, s3); t3 = Vector512.FusedMultiplyAdd(yv, wv, t3);
            wv = Vector512.Load(w4 + p); s4 = Vector512.FusedMultiplyAdd(xv, wv, s4); t4 = Vector512.FusedMultiplyAdd(yv, wv, t4);
            wv = Vector512.Load(w5 + p); s5 = Vector512.FusedMultiplyAdd(xv, wv, s5); t5 = Vector512.FusedMultiplyAdd(yv, wv, t5);
            wv = Vector512.Load(w6 + p); s6 = Vector512.FusedMultiplyAdd(xv, wv, s6); t6 = Vector512.FusedMultiplyAdd(yv, wv, t6);
            wv = Vector512.Load(w7 + p); s7 = Vector512.FusedMultiplyAdd(xv, wv, s7); t7 = Vector512.FusedMultiplyAdd(yv, wv, t7);
        }
        Reduce8(s0, s1, s2, s3, s4, s5, s6, s7, sums);
        Reduce8(t0, t1, t2, t3, t4, t5, t6, t7, sums2);
        for (; p < k; p++)
        {
            float xp = x[p], yp = y[p];
            float v0 = w0[p], v1 = w1[p], v2 = w2[p], v3 = w3[p], v4 = w4[p], v5 = w5[p], v6 = w6[p], v7 = w7[p];
            sums[0] += xp * v0; sums[1] += xp * v1; sums[2] += xp * v2; sums[3] += xp * v3;
            sums[4] += xp * v4; sums[5] += xp * v5; sums[6] += xp * v6; sums[7] += xp * v7;
            sums2[0] += yp * v0; sums2[1] += yp * v1; sums2[2] += yp * v2; sums2[3] += yp * v3;
            sums2[4] += yp * v4; sums2[5] += yp * v5; sums2[6] += yp * v6; sums2[7] += yp * v7;
        }
    }

    /// <summary>Horizontal sums of 8 vectors into 8 floats with a shuffle tree instead of 8 separate reductions.</summary>
    /// <remarks>Inlined on purpose: vector registers are caller-saved on x64 Unix, so a call after the loop makes the
    /// JIT keep every accumulator that is still live across it in memory — inside the loop too.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reduce8(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
                                Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7, float* sums)
    {
        if (Avx.IsSupported)
        {
            Vector256<float> t0 = s0.GetLower() + s0.GetUpper(), t1 = s1.GetLower() + s1.GetUpper();
            Vector256<float> t2 = s2.GetLower() + s2.GetUpper(), t3 = s3.GetLower() + s3.GetUpper();
            Vector256<float> t4 = s4.GetLower() + s4.GetUpper(), t5 = s5.GetLower() + s5.GetUpper();
            Vector256<float> t6 = s6.GetLower() + s6.GetUpper(), t7 = s7.GetLower() + s7.GetUpper();
            Vector256<float> h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(t0, t1), Avx.HorizontalAdd(t2, t3));
            Vector256<float> h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(t4, t5), Avx.HorizontalAdd(t6, t7));
            // h0123 = [lane-low partial sums of 0..3 | lane-high partial sums of 0..3]; likewise h4567.
            Vector256<float> result = Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
            Vector256.Store(result, sums);
            return;
        }
        sums[0] = Vector512.Sum(s0); sums[1] = Vector512.Sum(s1); sums[2] = Vector512.Sum(s2); sums[3] = Vector512.Sum(s3);
        sums[4] = Vector512.Sum(s4); sums[5] = Vector512.Sum(s5); sums[6] = Vector512.Sum(s6); sums[7] = Vector512.Sum(s7);
    }

    private static void Store(float* sums, int count, float alpha, float beta, float* c)
    {
        if (beta == 0f) for (int r = 0; r < count; r++) c[r] = alpha * sums[r];
        else for (int r = 0; r < count; r++) c[r] = alpha * sums[r] + beta * c[r];
    }

    // ---------------------------------------------------------------------------------------------
    // Not transB: C row i = alpha·Σ_p A[i, p]·B row p + beta·C row i; B stored (k, n). Blocks of 64 columns
    // are accumulated in registers over the whole depth, so C is written once.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRows(int m, int j0, int j1, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        float* acc = stackalloc float[16];
        int lanes = Vector<float>.Count;
        for (int i = 0; i < m; i++)
        {
            float* ai = a + (long)i * lda;
            float* ci = c + (long)i * ldc;
            int j = j0;
            // The 256- and 128-bit paths: four Vector<float> accumulators (32 or 16 columns) per pass down B.
            for (; j + 4 * lanes <= j1 && !SimdPath.Is512; j += 4 * lanes)
            {
                Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var x = new Vector<float>(ai[p]);
                    s0 = Vector.MultiplyAddEstimate(x, Vector.Load(bp), s0);
                    s1 = Vector.MultiplyAddEstimate(x, Vector.Load(bp + lanes), s1);
                    s2 = Vector.MultiplyAddEstimate(x, Vector.Load(bp + 2 * lanes), s2);
                    s3 = Vector.MultiplyAddEstimate(x, Vector.Load(bp + 3 * lanes), s3);
                }
                StoreVec(s0, alpha, beta, ci + j);
                StoreVec(s1, alpha, beta, ci + j + lanes);
                StoreVec(s2, alpha, beta, ci + j + 2 * lanes);
                StoreVec(s3, alpha, beta, ci + j + 3 * lanes);
            }
            for (; j + lanes <= j1 && !SimdPath.Is512; j += lanes)
            {
                Vector<float> s0 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                    s0 = Vector.MultiplyAddEstimate(new Vector<float>(ai[p]), Vector.Load(bp), s0);
                StoreVec(s0, alpha, beta, ci + j);
            }
            for (; j + 64 <= j1; j += 64)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    Vector512<float> x = Vector512.Create(ai[p]);
                    s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp), s0);
                    s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 16), s1);
                    s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 32), s2);
                    s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(bp + 48), s3);
                }
                StoreVec(s0, alpha, beta, ci + j);
                StoreVec(s1, alpha, beta, ci + j + 16);
                StoreVec(s2, alpha, beta, ci + j + 32);
                StoreVec(s3, alpha, beta, ci + j + 48);
            }
            for (; j + 16 <= j1 && SimdPath.Is512; j += 16)
            {
                Vector512<float> s0 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                    s0 = Vector512.FusedMultiplyAdd(Vector512.Create(ai[p]), Vector512.Load(bp), s0);
                StoreVec(s0, alpha, beta, ci + j);
            }
            if (j < j1)
            {
                int rest = j1 - j;
                for (int x = 0; x < rest; x++) acc[x] = 0f;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    float ap = ai[p];
                    for (int x = 0; x < rest; x++) acc[x] += ap * bp[x];
                }
                Store(acc, rest, alpha, beta, ci + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVec(Vector<float> s, float alpha, float beta, float* c)
    {
        Vector<float> v = s * new Vector<float>(alpha);
        if (beta != 0f) v = Vector.MultiplyAddEstimate(Vector.Load(c), new Vector<float>(beta), v);
        v.Store(c);
    }

    private static void StoreVec(Vector512<float> s, float alpha, float beta, float* c)
    {
        Vector512<float> v = s * Vector512.Create(alpha);
        if (beta != 0f) v = Vector512.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), v);
        Vector512.Store(v, c);
    }
}
