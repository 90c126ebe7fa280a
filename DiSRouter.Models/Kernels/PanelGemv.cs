using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// C(m ≤ 8, n) = alpha·A·Wᵀ + beta·C read from a <see cref="PackedWeight"/>'s panels instead of its raw rows, with the
/// very arithmetic of <see cref="GemmSmallM"/> on the same path (256- and 128-bit; 512-bit in <see cref="Pass512"/>), so
/// the result is the same bit for bit.
/// WHY: a prompt pass reads the panels and token-by-token decoding read the raw rows, so generation streamed two copies of
/// every weight: 38 MB for a 4.85 M-parameter model, more than the 32 MB L3 that the 2-core AVX2 machine shares with its
/// neighbours (there two threads stream 19 MB at about 76 GB/s and 38 MB at about 38, DRAM's rate). Reading the panels
/// here leaves one copy in the working set; docs/benchmarks.md has the measurements.
/// </summary>
/// <remarks>
/// The raw path sums output j as Vector&lt;float&gt; lane l accumulating W[j, p]·x[p] for p ≡ l (mod L) in order by
/// fused multiply-adds (L = 8 or 4 lanes), then <c>Vector.Sum</c> of the lanes, then the last k mod L products one by
/// one. A panel row holds 16 columns at one depth p, so here a vector runs over 8 columns and there is one accumulator per
/// lane l: the same operations on the same values in the same order, only transposed. <c>Vector.Sum</c> adds its lanes
/// pairwise, ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)), which the accumulators reproduce column-wise; where the
/// runtime sums in another order (<see cref="Available"/> checks at start-up) the raw path runs instead.
/// Depth blocks of the panels need not start at a multiple of L (704 = 3 × 235): there <see cref="Lanes4"/> finds each
/// lane's rows at their offsets in every group of 8, and <see cref="Sum8"/> / <see cref="Sum4"/> rotate the accumulators so
/// that slot 0 receives the block's first depth.
/// </remarks>
internal static unsafe class PanelGemv
{
    private const int Cols = 8;    // output columns per pass (one 8-lane vector or two 4-lane ones)
    private const int Panel = 16;  // panel width on the 256- and 128-bit paths (Gemm.NR16), and on the 512-bit path for n ≤ 16
    private const int Panel512 = 32; // panel width on the 512-bit path for n > 16 (Gemm.NR)
    private const int PrefetchRows = 128; // 8 KiB ahead: of 32, 64 and 128 rows the farthest was fastest (single thread, config c)

    /// <summary>
    /// Whether products of up to <see cref="Gemm.SmallM"/> rows read the panels: on the 256- and 128-bit paths where
    /// <c>Vector.Sum</c> adds pairwise; on the 512-bit path where <c>GemmSmallM</c> reduces its accumulators with AVX's
    /// shuffle tree (x64), whose order <see cref="Sum512"/> reproduces.
    /// </summary>
    public static readonly bool Available = SimdPath.Is512
        ? Avx.IsSupported
        : Vector128.IsHardwareAccelerated && (Vector<float>.Count is 4 or 8) && SumIsPairwise();

    public static bool Applies(PackedWeight w) =>
        Available && (SimdPath.Is512 ? w.Width is Panel or Panel512 : w.Width == Panel) && w.NcLimit % w.Width == 0;

    public static void Run(int m, float alpha, float* a, int lda, PackedWeight w, float beta, float* c, int ldc, int threads)
    {
        int n = w.N, k = w.K, width = w.Width;
        int n8 = n & ~(Cols - 1);
        int units = (n8 + width - 1) / width;   // whole panels (the last may hold 8 live columns of 16, or 8, 16 or 24 of 32)
        var body = new Body { M = m, N = n, N8 = n8, K = k, Alpha = alpha, A = a, Lda = lda, W = w.Panels, Width = width, KcMax = w.KcMax, NcLimit = w.NcLimit, Beta = beta, C = c, Ldc = ldc };
        if (units > 0)
        {
            if (threads > 1 && (long)n * k >= GemmSmallM.ParallelMinWeights && units >= 2)
            {
                int chunks = Math.Min(units, threads * 4);
                body.UnitsPerChunk = (units + chunks - 1) / chunks;
                EngineThreads.ParallelFor((units + body.UnitsPerChunk - 1) / body.UnitsPerChunk, body);
            }
            else
            {
                body.UnitsPerChunk = units;
                body.Invoke(0);
            }
        }
        // The last n mod 8 columns: the raw path sums them with Vec.Dot, so they are taken from the raw rows the same way.
        if (n8 < n)
            fixed (float* raw = w.Raw)
                GemmSmallM.DotRows(m, n8, n, k, alpha, a, lda, raw, k, beta, c, ldc);
    }

    private struct Body : IParallelBody
    {
        public int M, N, N8, K, Width, KcMax, NcLimit, UnitsPerChunk; public float Alpha, Beta;
        public float* A, W, C; public int Lda, Ldc;

        public readonly void Invoke(int chunk)
        {
            if (SimdPath.Is512) { Invoke512(chunk); return; }
            int j0 = chunk * UnitsPerChunk * Panel, j1 = Math.Min(N8, j0 + UnitsPerChunk * Panel);
            if (Sse.IsSupported && j0 < j1)
            {
                // The rows the passes' own prefetch does not reach: the first PrefetchRows of the chunk's first panel
                // (a chunk starts a new stream, cold in every cache level but L3, and it is only microseconds long).
                int jc0 = j0 / NcLimit * NcLimit, first = Math.Min(PrefetchRows, Math.Min(KcMax, K));
                float* start = W + (long)jc0 * K + (long)(j0 - jc0) / Panel * Math.Min(KcMax, K) * Panel;
                for (int r = 0; r < first; r++) Sse.Prefetch0(start + r * Panel);
            }
            for (int j = j0; j < j1; j += Panel)
            {
                int jc = j / NcLimit * NcLimit;                             // the column block holding panel j
                int panels = (Math.Min(NcLimit, N - jc) + Panel - 1) / Panel;
                float* block = W + (long)jc * K;                            // earlier blocks are full: NcLimit columns each
                int q = (j - jc) / Panel;
                if (Vector<float>.Count == 8 && j + Panel <= j1)
                {
                    for (int i = 0; i < M; i++)
                        Pass16(block, panels, q, A + (long)i * Lda, K, KcMax, Alpha, Beta, C + (long)i * Ldc + j);
                    continue;
                }
                for (int half = 0; half < Panel && j + half < j1; half += Cols)
                    for (int i = 0; i < M; i++)
                        Pass(block, panels, q, half, A + (long)i * Lda, K, KcMax, Alpha, Beta, C + (long)i * Ldc + j + half);
            }
        }

        // The 512-bit path: 16 columns (one Vector512) at a time, the last group of a chunk possibly 8 live columns.
        private readonly void Invoke512(int chunk)
        {
            int j0 = chunk * UnitsPerChunk * Width, j1 = Math.Min(N8, j0 + UnitsPerChunk * Width);
            for (int j = j0; j < j1; j += Width)
            {
                int jc = j / NcLimit * NcLimit;
                int panels = (Math.Min(NcLimit, N - jc) + Width - 1) / Width;
                float* block = W + (long)jc * K;
                int q = (j - jc) / Width;
                for (int col = 0; col < Width && j + col < j1; col += 16)
                {
                    bool whole = j + col + 16 <= j1;   // else 8 live columns (N8 is a multiple of 8), the panel zero-padded past them
                    for (int i = 0; i < M; i++)
                        Pass512(block, panels, Width, q, col, A + (long)i * Lda, K, KcMax, Alpha, Beta, C + (long)i * Ldc + j + col, whole);
                }
            }
        }
    }

    // c[0..8) = alpha·dot(x, W column) + beta·c for the 8 columns at `half` of panel q of a column block of `panels` panels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass(float* block, int panels, int q, int half, float* x, int k, int kcMax, float alpha, float beta, float* c)
    {
        int lanes = Vector<float>.Count;
        int kVec = k - k % lanes;
        if (lanes == 8)
        {
            var sum = Sum8(block, panels, q, half, x, kVec, k, kcMax);
            // The last k mod L depths, product then sum, one depth at a time (as the raw path's scalar tail).
            for (int p = kVec; p < k; p++)
                sum += new Vector<float>(x[p]) * Vector.Load(Row(block, panels, q, p, k, kcMax) + half);
            Store(sum, alpha, beta, c);
        }
        else
        {
            var (lo, hi) = Sum4(block, panels, q, half, x, kVec, k, kcMax);
            for (int p = kVec; p < k; p++)
            {
                var xv = new Vector<float>(x[p]);
                float* row = Row(block, panels, q, p, k, kcMax) + half;
                lo += xv * Vector.Load(row);
                hi += xv * Vector.Load(row + 4);
            }
            Store(lo, alpha, beta, c);
            Store(hi, alpha, beta, c + 4);
        }
    }

    // All 16 columns of panel q at 8 lanes: one pass over the depth for lanes 0–3 and one for lanes 4–7, each feeding
    // both halves of every panel row it reads (8 accumulators, 2 multiply-adds per broadcast of x), and each reading
    // half the rows, so every row is fetched from memory once. (a0 + a1) + (a2 + a3) of the first pass plus
    // (a4 + a5) + (a6 + a7) of the second is Vector.Sum's order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass16(float* block, int panels, int q, float* x, int k, int kcMax, float alpha, float beta, float* c)
    {
        int kVec = k & ~7;
        var (lo, hi) = Lanes4(block, panels, q, x, kVec, k, kcMax, 0);
        var (lo2, hi2) = Lanes4(block, panels, q, x, kVec, k, kcMax, 4);
        lo += lo2;
        hi += hi2;
        for (int p = kVec; p < k; p++)
        {
            var xv = new Vector<float>(x[p]);
            float* row = Row(block, panels, q, p, k, kcMax);
            lo += xv * Vector.Load(row);
            hi += xv * Vector.Load(row + 8);
        }
        Store(lo, alpha, beta, c);
        Store(hi, alpha, beta, c + 8);
    }

    // (a_l0 + a_l0+1) + (a_l0+2 + a_l0+3) for both halves of panel q, a_l summing depths p ≡ l (mod 8), p < kVec, in order.
    // In a depth block that starts at pc, lane l's depths sit at offsets d ≡ l − pc (mod 8) of each 8-row group.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Vector<float> Lo, Vector<float> Hi) Lanes4(float* block, int panels, int q, float* x, int kVec, int k, int kcMax, int l0)
    {
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        // The first pass fetches the rows ahead (the second finds its rows in L1): the panels are one long stream per
        // thread, and at a few microseconds per product the hardware prefetcher is still ramping up when it ends.
        bool prefetch = l0 == 0 && Sse.IsSupported;
        for (int pc = 0; pc < kVec; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc), live = Math.Min(kc, kVec - pc);
            int d0 = (l0 - pc) & 7, d1 = (l0 + 1 - pc) & 7, d2 = (l0 + 2 - pc) & 7, d3 = (l0 + 3 - pc) & 7;
            float* w = block + (long)panels * Panel * pc + (long)q * kc * Panel;
            float* xp = x + pc;
            int i = 0;
            for (; i + 8 <= live; i += 8, w += 8 * Panel)
            {
                if (prefetch)
                    for (int r = 0; r < 8; r++) Sse.Prefetch0(w + (PrefetchRows + r) * Panel);
                var x0 = new Vector<float>(xp[i + d0]);
                a0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + d0 * Panel), a0);
                b0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + d0 * Panel + 8), b0);
                var x1 = new Vector<float>(xp[i + d1]);
                a1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + d1 * Panel), a1);
                b1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + d1 * Panel + 8), b1);
                var x2 = new Vector<float>(xp[i + d2]);
                a2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + d2 * Panel), a2);
                b2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + d2 * Panel + 8), b2);
                var x3 = new Vector<float>(xp[i + d3]);
                a3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + d3 * Panel), a3);
                b3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + d3 * Panel + 8), b3);
            }
            int rest = live - i;
            if (d0 < rest)
            {
                var x0 = new Vector<float>(xp[i + d0]);
                a0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + d0 * Panel), a0);
                b0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + d0 * Panel + 8), b0);
            }
            if (d1 < rest)
            {
                var x1 = new Vector<float>(xp[i + d1]);
                a1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + d1 * Panel), a1);
                b1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + d1 * Panel + 8), b1);
            }
            if (d2 < rest)
            {
                var x2 = new Vector<float>(xp[i + d2]);
                a2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + d2 * Panel), a2);
                b2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + d2 * Panel + 8), b2);
            }
            if (d3 < rest)
            {
                var x3 = new Vector<float>(xp[i + d3]);
                a3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + d3 * Panel), a3);
                b3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + d3 * Panel + 8), b3);
            }
        }
        return ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3));
    }

    // Address of depth p's row (16 floats) of panel q: depth block pc = p − p mod kcMax holds `panels` panels of kc rows each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Row(float* block, int panels, int q, int p, int k, int kcMax)
    {
        int pc = p / kcMax * kcMax, kc = Math.Min(kcMax, k - pc);
        return block + (long)panels * Panel * pc + (long)q * kc * Panel + (long)(p - pc) * Panel;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> sum, float alpha, float beta, float* c)
    {
        // alpha·s, or alpha·s + beta·c: two products and a sum, rounded one at a time (GemmSmallM.Store).
        var v = new Vector<float>(alpha) * sum;
        if (beta != 0f) v += new Vector<float>(beta) * Vector.Load(c);
        v.Store(c);
    }

    // 8 lanes: accumulator a_s holds lane (pc + s) mod 8 while depth block pc runs; canonical (a_l = lane l) between blocks.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector<float> Sum8(float* block, int panels, int q, int half, float* x, int kVec, int k, int kcMax)
    {
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int pc = 0; pc < kVec; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc), live = Math.Min(kc, kVec - pc), r = pc & 7;
            float* w = block + (long)panels * Panel * pc + (long)q * kc * Panel + half;
            float* xp = x + pc;
            for (int t = 0; t < r; t++) (a0, a1, a2, a3, a4, a5, a6, a7) = (a1, a2, a3, a4, a5, a6, a7, a0);
            int i = 0;
            for (; i + 8 <= live; i += 8, w += 8 * Panel)
            {
                a0 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i]), Vector.Load(w), a0);
                a1 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 1]), Vector.Load(w + Panel), a1);
                a2 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 2]), Vector.Load(w + 2 * Panel), a2);
                a3 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 3]), Vector.Load(w + 3 * Panel), a3);
                a4 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 4]), Vector.Load(w + 4 * Panel), a4);
                a5 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 5]), Vector.Load(w + 5 * Panel), a5);
                a6 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 6]), Vector.Load(w + 6 * Panel), a6);
                a7 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 7]), Vector.Load(w + 7 * Panel), a7);
            }
            int rest = live - i;
            if (rest > 0) a0 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i]), Vector.Load(w), a0);
            if (rest > 1) a1 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 1]), Vector.Load(w + Panel), a1);
            if (rest > 2) a2 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 2]), Vector.Load(w + 2 * Panel), a2);
            if (rest > 3) a3 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 3]), Vector.Load(w + 3 * Panel), a3);
            if (rest > 4) a4 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 4]), Vector.Load(w + 4 * Panel), a4);
            if (rest > 5) a5 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 5]), Vector.Load(w + 5 * Panel), a5);
            if (rest > 6) a6 = Vector.MultiplyAddEstimate(new Vector<float>(xp[i + 6]), Vector.Load(w + 6 * Panel), a6);
            for (int t = 0; t < r; t++) (a0, a1, a2, a3, a4, a5, a6, a7) = (a7, a0, a1, a2, a3, a4, a5, a6);
        }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }

    // 4 lanes: 8 columns as two vectors (lo, hi), accumulators a_s / b_s for lane slot s, rotated as in Sum8.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Vector<float> Lo, Vector<float> Hi) Sum4(float* block, int panels, int q, int half, float* x, int kVec, int k, int kcMax)
    {
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (int pc = 0; pc < kVec; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc), live = Math.Min(kc, kVec - pc), r = pc & 3;
            float* w = block + (long)panels * Panel * pc + (long)q * kc * Panel + half;
            float* xp = x + pc;
            for (int t = 0; t < r; t++) { (a0, a1, a2, a3) = (a1, a2, a3, a0); (b0, b1, b2, b3) = (b1, b2, b3, b0); }
            int i = 0;
            for (; i + 4 <= live; i += 4, w += 4 * Panel)
            {
                Vector<float> x0 = new(xp[i]), x1 = new(xp[i + 1]), x2 = new(xp[i + 2]), x3 = new(xp[i + 3]);
                a0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w), a0);
                b0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + 4), b0);
                a1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + Panel), a1);
                b1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + Panel + 4), b1);
                a2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + 2 * Panel), a2);
                b2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + 2 * Panel + 4), b2);
                a3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + 3 * Panel), a3);
                b3 = Vector.MultiplyAddEstimate(x3, Vector.Load(w + 3 * Panel + 4), b3);
            }
            int rest = live - i;
            if (rest > 0)
            {
                var x0 = new Vector<float>(xp[i]);
                a0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w), a0);
                b0 = Vector.MultiplyAddEstimate(x0, Vector.Load(w + 4), b0);
            }
            if (rest > 1)
            {
                var x1 = new Vector<float>(xp[i + 1]);
                a1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + Panel), a1);
                b1 = Vector.MultiplyAddEstimate(x1, Vector.Load(w + Panel + 4), b1);
            }
            if (rest > 2)
            {
                var x2 = new Vector<float>(xp[i + 2]);
                a2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + 2 * Panel), a2);
                b2 = Vector.MultiplyAddEstimate(x2, Vector.Load(w + 2 * Panel + 4), b2);
            }
            for (int t = 0; t < r; t++) { (a0, a1, a2, a3) = (a3, a0, a1, a2); (b0, b1, b2, b3) = (b3, b0, b1, b2); }
        }
        return ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3));
    }

    // ---------------------------------------------------------------------------------------------
    // The 512-bit path. GemmSmallM's Dot8 / Dot8x2 sum output j as Vector512 lane l (l < 16) accumulating W[j, p]·x[p]
    // for p ≡ l (mod 16), p < k − k mod 16, in order by fused multiply-adds; Reduce8 then adds the lanes as
    // (((s0 + s8) + (s1 + s9)) + ((s2 + s10) + (s3 + s11))) + (((s4 + s12) + (s5 + s13)) + ((s6 + s14) + (s7 + s15)))
    // (upper half onto lower, then two rounds of AVX horizontal adds, then the two 128-bit halves); the last k mod 16
    // products are added one at a time, each rounded before the sum; Store rounds alpha·s and beta·c separately.
    // Here a Vector512 runs over 16 columns and there is one accumulator per lane: the same operations, transposed.

    // c[0..16) (or c[0..8) when !whole) = alpha·dot(x, W column) + beta·c for the 16 columns at `col` of panel q.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass512(float* block, int panels, int width, int q, int col, float* x, int k, int kcMax, float alpha, float beta, float* c, bool whole)
    {
        int kVec = k & ~15;
        var sum = Sum512(block, panels, width, q, col, x, kVec, k, kcMax, 0) + Sum512(block, panels, width, q, col, x, kVec, k, kcMax, 4);
        for (int p = kVec; p < k; p++)
        {
            int pc = p / kcMax * kcMax, kc = Math.Min(kcMax, k - pc);
            float* row = block + (long)panels * width * pc + (long)q * kc * width + (long)(p - pc) * width + col;
            sum += Vector512.Create(x[p]) * Vector512.Load(row);
        }
        var v = Vector512.Create(alpha) * sum;
        if (whole)
        {
            if (beta != 0f) v += Vector512.Create(beta) * Vector512.Load(c);
            v.Store(c);
        }
        else
        {
            var lo = v.GetLower();
            if (beta != 0f) lo += Vector256.Create(beta) * Vector256.Load(c);
            lo.Store(c);
        }
    }

    // ((s_l0 + s_l0+8) + (s_l0+1 + s_l0+9)) + ((s_l0+2 + s_l0+10) + (s_l0+3 + s_l0+11)): half of Reduce8's tree (l0 = 0 or
    // 4), s_l summing depths p ≡ l (mod 16), p < kVec, in order. In a depth block that starts at pc, lane l's depths sit
    // at offsets d ≡ l − pc (mod 16) of each 16-row group.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<float> Sum512(float* block, int panels, int width, int q, int col, float* x, int kVec, int k, int kcMax, int l0)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (int pc = 0; pc < kVec; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc), live = Math.Min(kc, kVec - pc);
            int d0 = (l0 - pc) & 15, d1 = (l0 + 1 - pc) & 15, d2 = (l0 + 2 - pc) & 15, d3 = (l0 + 3 - pc) & 15;
            int e0 = (l0 + 8 - pc) & 15, e1 = (l0 + 9 - pc) & 15, e2 = (l0 + 10 - pc) & 15, e3 = (l0 + 11 - pc) & 15;
            float* w = block + (long)panels * width * pc + (long)q * kc * width + col;
            float* xp = x + pc;
            int i = 0;
            for (; i + 16 <= live; i += 16, w += 16 * width)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d0]), Vector512.Load(w + d0 * width), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d1]), Vector512.Load(w + d1 * width), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d2]), Vector512.Load(w + d2 * width), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d3]), Vector512.Load(w + d3 * width), a3);
                b0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e0]), Vector512.Load(w + e0 * width), b0);
                b1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e1]), Vector512.Load(w + e1 * width), b1);
                b2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e2]), Vector512.Load(w + e2 * width), b2);
                b3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e3]), Vector512.Load(w + e3 * width), b3);
            }
            int rest = live - i;
            if (d0 < rest) a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d0]), Vector512.Load(w + d0 * width), a0);
            if (d1 < rest) a1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d1]), Vector512.Load(w + d1 * width), a1);
            if (d2 < rest) a2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d2]), Vector512.Load(w + d2 * width), a2);
            if (d3 < rest) a3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + d3]), Vector512.Load(w + d3 * width), a3);
            if (e0 < rest) b0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e0]), Vector512.Load(w + e0 * width), b0);
            if (e1 < rest) b1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e1]), Vector512.Load(w + e1 * width), b1);
            if (e2 < rest) b2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e2]), Vector512.Load(w + e2 * width), b2);
            if (e3 < rest) b3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[i + e3]), Vector512.Load(w + e3 * width), b3);
        }
        return ((a0 + b0) + (a1 + b1)) + ((a2 + b2) + (a3 + b3));
    }

    // Whether Vector.Sum adds lanes pairwise on this runtime and path (true of AVX2 and SSE; a software fallback adds them in order).
    private static bool SumIsPairwise()
    {
        int lanes = Vector<float>.Count;
        Span<float> v = stackalloc float[lanes];
        uint state = 12345;
        for (int t = 0; t < 64; t++)
        {
            for (int i = 0; i < lanes; i++)
            {
                state = state * 1664525 + 1013904223;
                v[i] = ((int)(state >> 8) - (1 << 23)) * MathF.Pow(2, (int)(state % 9) - 4) * 1e-3f;
            }
            var vec = new Vector<float>(v);
            float expected = lanes == 8 ? ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])) : (v[0] + v[1]) + (v[2] + v[3]);
            if (BitConverter.SingleToInt32Bits(Vector.Sum(vec)) != BitConverter.SingleToInt32Bits(expected)) return false;
        }
        return true;
    }
}
