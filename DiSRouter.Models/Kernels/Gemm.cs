using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static DiSRouter.Models.Kernels.GemmMicroKernels;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// Single-precision matrix multiply, row-major: C = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ.
/// <c>lda</c>/<c>ldb</c>/<c>ldc</c> are the row strides of the matrices as stored (so a sub-matrix view is
/// a pointer plus the parent's stride). beta = 0 overwrites C without reading it (NaN garbage is fine).
/// Thread-safe: any number of threads may call it at once.
/// </summary>
/// <remarks>
/// Design (Goto/BLIS style, sized for AVX-512 cores with 48 KiB L1 and 1 MiB L2; the narrower paths of <see cref="SimdPath"/> keep the blocking):
/// <list type="bullet">
/// <item>B is packed per (KC × NC) block into 32-wide panels (KC rows of 32 contiguous floats; 16 when n ≤ 16) in a
///   thread-local buffer; a panel (KC·NR·4 = 32 KiB) stays in L1 while the micro-kernel walks down the rows of A.</item>
/// <item>A is not copied: the micro-kernels broadcast A(i, p) where it lies (row-contiguous when A is not
///   transposed, step-contiguous when it is), so only B pays a packing pass.</item>
/// <item>The micro-kernel keeps an MR × NR tile of C in registers (see GemmMicroKernels): 8 × 32 in zmm on AVX-512,
///   6 × 16 in ymm on AVX2, 3 × 16 in xmm on the 128-bit path.</item>
/// <item>Work is split over EngineThreads by blocks of rows of C (and columns when there are few rows).</item>
/// <item>M ≤ 8 with A not transposed (token-by-token generation) takes a packing-free GEMV path (GemmSmallM).</item>
/// </list>
/// </remarks>
public static unsafe class Gemm
{
    // Blocking, measured on the 2-core Zen 5 development VM (see DiSRouter.Training/Bench/GemmBench.cs).
    internal static int KC = 256;          // depth of a packed block: B panel KC·NR floats fits L1
    internal static int MC = 128;          // rows of C per task: the A block MC·KC streams from L2
    internal static int NC = 4096;         // columns of B packed at once (bounds the packed buffer)
    internal const int SmallM = 8;         // M at or below this (A not transposed) takes the GEMV path
    internal static long ParallelMinWork = 1L << 18; // m·n·k below this (~2–3 µs of work) stays on the calling thread
    private const int TasksPerThread = 8;
    private const long PackedScratchFloats = 1L << 21; // 8 MiB: the packed copy of one column block of B over its whole depth

    /// <summary>
    /// Whether products with a <see cref="PackedWeight"/> read its prebuilt panels (the default) or re-pack the raw weight
    /// per product as the engine did before; process-wide, for benchmarks that time both side by side. Results are equal.
    /// </summary>
    public static bool UsePrepackedPanels { get; set; } = true;

    /// <summary>C(m, n) = alpha·op(A)(m, k)·op(B)(k, n) + beta·C. A is stored (m, k), or (k, m) when transA; B is stored (k, n), or (n, k) when transB.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        CheckSizes(m, n, k);
        Core(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, EngineThreads.AvailableThreads);
    }

    /// <summary>Span form (arrays convert implicitly): checks that every view fits its buffer, pins, and calls the pointer form.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckSizes(m, n, k);
        if (m == 0 || n == 0) return;
        CheckView(nameof(c), c.Length, m, n, ldc);
        if (k > 0)
        {
            CheckView(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda);
            CheckView(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb);
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Core(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, EngineThreads.AvailableThreads);
        }
    }

    /// <summary>
    /// <c>batch</c> independent products: matrix i of A starts at <c>a + i·strideA</c> (likewise B and C). The batch is
    /// spread over <see cref="EngineThreads"/>; each product runs on one thread (they are small, e.g. attention per head).
    /// A stride of 0 reuses one matrix for every product (a shared weight); C's matrices must not overlap.
    /// </summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, long strideA, float* b, int ldb, long strideB, float beta, float* c, int ldc, long strideC, int batch)
    {
        CheckSizes(m, n, k);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (batch == 0 || m == 0 || n == 0) return;
        int threads = EngineThreads.AvailableThreads;
        if (batch == 1)
        {
            Core(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
            return;
        }
        var body = new BatchBody
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            A = a, Lda = lda, StrideA = strideA, B = b, Ldb = ldb, StrideB = strideB, C = c, Ldc = ldc, StrideC = strideC,
        };
        if (threads > 1 && (long)m * n * Math.Max(k, 1) * batch >= ParallelMinWork)
            EngineThreads.ParallelFor(batch, body);
        else
            for (int i = 0; i < batch; i++) body.Invoke(i);
    }

    /// <summary>Span form of the strided batched product (checks that every matrix of the batch fits its buffer).</summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB, float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        CheckSizes(m, n, k);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (batch == 0 || m == 0 || n == 0) return;
        CheckBatch(nameof(c), c.Length, m, n, ldc, strideC, batch);
        if (k > 0)
        {
            CheckBatch(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, strideA, batch);
            CheckBatch(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, strideB, batch);
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            SgemmStridedBatched(transA, transB, m, n, k, alpha, pa, lda, strideA, pb, ldb, strideB, beta, pc, ldc, strideC, batch);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Dispatch

    private static void Core(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (!transA && m <= SmallM)
        {
            GemmSmallM.Run(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
            return;
        }
        Packed(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
    }

    // ---------------------------------------------------------------------------------------------
    // The packed path: for each NC block of columns, for each KC block of depth: pack B, then run the
    // micro-kernels over (row block × panel range) tasks.

    /// <summary>
    /// C(m, n) = alpha·A(m, k)·Wᵀ + beta·C with W a <see cref="PackedWeight"/> (n, k): up to <see cref="SmallM"/> rows
    /// through the packing-free arithmetic reading the prebuilt panels (<see cref="PanelGemv"/>; the raw weight where it does
    /// not apply), more through the packed path on the prebuilt panels. The
    /// result is bit for bit that of <see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>
    /// with the blocking the weight was packed under.
    /// </summary>
    public static void Sgemm(int m, float alpha, ReadOnlySpan<float> a, int lda, PackedWeight w, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(w);
        int n = w.N, k = w.K;
        CheckSizes(m, n, k);
        if (m == 0) return;
        CheckView(nameof(c), c.Length, m, n, ldc);
        CheckView(nameof(a), a.Length, m, k, lda);
        fixed (float* pa = a)
        fixed (float* pw = w.Raw)
        fixed (float* pc = c)
        {
            if (alpha != 0f && m <= SmallM && UsePrepackedPanels && PanelGemv.Applies(w)) PanelGemv.Run(m, alpha, pa, lda, w, beta, pc, ldc, EngineThreads.AvailableThreads);
            else if (alpha == 0f || m <= SmallM || !UsePrepackedPanels) Core(false, true, m, n, k, alpha, pa, lda, pw, k, beta, pc, ldc, EngineThreads.AvailableThreads);
            else Packed(false, true, m, n, k, alpha, pa, lda, pw, k, beta, pc, ldc, EngineThreads.AvailableThreads, w);
        }
    }

    /// <summary>Panel width, block depth and block columns of the packed path for a (·, n, k) product under the current tunables.</summary>
    internal static (int Width, int KcMax, int NcLimit) BlockGeometry(int n, int k)
    {
        int kcLimit = KC, ncLimit = NC;
        // Products no wider than 16 (attention with head size 16, narrow outputs) use the 16-wide kernels, not
        // half-empty 32-wide ones. The 256- and 128-bit paths always use 16-wide panels (2 ymm / 4 xmm per row).
        int width = n <= NR16 || !SimdPath.Is512 ? NR16 : NR;
        int kBlocks = (k + kcLimit - 1) / kcLimit;
        int kcMax = (k + kBlocks - 1) / kBlocks;    // equal depths: 704 → 3 × 235, not 256 + 256 + 192
        return (width, kcMax, ncLimit);
    }

    /// <summary>Floats that every block of a (n, k) operand takes packed: each column block's panels over the whole depth.</summary>
    internal static long PackedLength(int n, int k, int width, int ncLimit)
    {
        long total = 0;
        for (int jc = 0; jc < n; jc += ncLimit) total += (long)(Math.Min(ncLimit, n - jc) + width - 1) / width * width * k;
        return total;
    }

    /// <summary>Packs every block of B (n, k) stored transposed (row stride ldb) into <paramref name="dst"/>, in the order <see cref="Packed"/> reads them.</summary>
    internal static void PackAll(float* b, int ldb, int n, int k, int width, int kcMax, int ncLimit, float* dst)
    {
        for (int jc = 0; jc < n; jc += ncLimit)
        {
            int nc = Math.Min(ncLimit, n - jc);
            int panels = (nc + width - 1) / width;
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                var pack = new PackBBody { B = b, Ldb = ldb, TransB = true, Pc = pc, Kc = kc, Jc = jc, Nc = nc, Width = width, Dst = dst };
                for (int p = 0; p < panels; p++) pack.Invoke(p);
                dst += (long)panels * kc * width;
            }
        }
    }

    private static void Packed(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int threads,
        PackedWeight? prepacked = null)
    {
        // Read the tunables once: a test or benchmark may change them while other threads multiply. A prepacked
        // weight keeps the blocking it was packed under.
        int mcLimit = MC;
        var (width, kcMax, ncLimit) = prepacked is null ? BlockGeometry(n, k) : (prepacked.Width, prepacked.KcMax, prepacked.NcLimit);
        bool parallel = threads > 1 && (long)m * n * k >= ParallelMinWork;
        if (!parallel) threads = 1;
        int kBlocks = (k + kcMax - 1) / kcMax;

        // B is packed a column block at a time over its whole depth (every depth block, in the order PackedWeight keeps
        // them) by one parallel pass, and each compute task then runs its tile of C through every depth block: two hand-offs
        // per column block instead of two per depth block. WHY: a weight gradient dW += dYᵀ·X has the batch's 2,048 rows as
        // its depth, 8 blocks, and on small models each block is a few microseconds of work per thread, less than the
        // hand-off and the wait for the slower thread. The sums are those of the block-by-block loop, in the same order.
        // Column blocks are narrowed so that one packed block stays under PackedScratchFloats (the blocking of columns
        // changes no sum).
        if (prepacked is null) ncLimit = Math.Max(width, Math.Min(ncLimit, (int)Math.Min(int.MaxValue, PackedScratchFloats / Math.Max(1, k)) / width * width));
        float* packed = prepacked is not null ? prepacked.Panels : GemmScratch.Current.PackedB((long)(Math.Min(ncLimit, n) + width - 1) / width * width * k);

        // Tasks: row blocks of up to MC rows (a multiple of the micro-kernel's rows); with few row blocks, also split the
        // panels so every thread has work.
        int rowBlock = Math.Max(Rows, mcLimit / Rows * Rows);
        int rowBlocks = (m + rowBlock - 1) / rowBlock;
        if (parallel && rowBlocks < 2 * threads)
        {
            int wanted = 2 * threads;
            rowBlock = Math.Max(Rows, RoundUp((m + wanted - 1) / wanted, Rows));
            rowBlocks = (m + rowBlock - 1) / rowBlock;
        }

        for (int jc = 0; jc < n; jc += ncLimit)
        {
            int nc = Math.Min(ncLimit, n - jc);
            int panels = (nc + width - 1) / width;
            // Up to TasksPerThread tasks per thread: a task runs through the whole depth, and with a deep product of few
            // rows (dW += dYᵀ·X: 256 rows, depth 2,048) four big tasks on two threads left one idle whenever the other
            // was slowed (103–112 GFLOP/s on two threads of the shared 2-core AVX2 machine against about 80 on one; 143–145
            // with up to eight tasks a thread).
            // Sixteen when A is not transposed: the tail of a parallel-for (one thread done, the other on its last task) is
            // shorter with smaller tasks, and re-reading a row block of A per column block is cheap; a transposed A is read
            // a cache line per step, so there eight (measured on config c's products: 155 → 164 and 144 GFLOP/s).
            int perThread = transA ? TasksPerThread : 2 * TasksPerThread;
            int colBlocks = parallel && rowBlocks < perThread * threads ? Math.Min(panels, (perThread * threads + rowBlocks - 1) / rowBlocks) : 1;
            int panelsPerBlock = (panels + colBlocks - 1) / colBlocks;
            colBlocks = (panels + panelsPerBlock - 1) / panelsPerBlock;
            if (prepacked is null)
            {
                var pack = new PackBlockBody { B = b, Ldb = ldb, TransB = transB, Jc = jc, Nc = nc, K = k, Width = width, KcMax = kcMax, Panels = panels, Dst = packed };
                int items = panels * kBlocks;
                if (parallel && items >= 4) EngineThreads.ParallelFor(items, pack);
                else for (int p = 0; p < items; p++) pack.Invoke(p);
            }
            var compute = new ComputeBody
            {
                TransA = transA, A = a, Lda = lda, Packed = packed, K = k, KcMax = kcMax, Width = width,
                C = c + jc, Ldc = ldc, M = m, Nc = nc, Alpha = alpha, Beta = beta,
                RowBlock = rowBlock, ColBlocks = colBlocks, PanelsPerBlock = panelsPerBlock, Panels = panels,
            };
            int tasks = rowBlocks * colBlocks;
            if (parallel && tasks > 1) EngineThreads.ParallelFor(tasks, compute);
            else for (int t = 0; t < tasks; t++) compute.Invoke(t);
            if (prepacked is not null) packed += (long)panels * width * k; // the next column block's panels follow
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>Rows of C per micro-kernel call on this machine's path (8 for AVX-512, 6 for AVX2, 3 for 128-bit).</summary>
    internal static readonly int Rows = SimdPath.Is512 ? MR : SimdPath.Is256 ? MR256 : MR128;

    /// <summary>The micro-kernel for <paramref name="rows"/> ≤ <see cref="Rows"/> rows of a panel of the given width on this machine's path.</summary>
    private static delegate*<int, float*, long, float*, float*, long, float, float, int, void> Kernel(int width, bool transA, int rows)
    {
        if (SimdPath.Is512) return width == NR ? (transA ? Get32C(rows) : Get32R(rows)) : (transA ? Get16C(rows) : Get16R(rows));
        if (SimdPath.Is256) return transA ? Get16C_256(rows) : Get16R_256(rows);
        return transA ? Get16C_128(rows) : Get16R_128(rows);
    }

    /// <summary>Copies B(pc.., jc..) into panels of the chosen width: panel q holds kc rows of width floats (zero-padded past n).</summary>
    private struct PackBBody : IParallelBody
    {
        public float* B; public int Ldb; public bool TransB; public int Pc, Kc, Jc, Nc, Width; public float* Dst;

        public readonly void Invoke(int panel)
        {
            int j0 = panel * Width;
            int cols = Math.Min(Width, Nc - j0);
            float* d = Dst + (long)panel * Kc * Width;
            if (!TransB) GemmPacking.PackRows(B + (long)Pc * Ldb + Jc + j0, Ldb, Kc, cols, Width, d);
            else GemmPacking.PackColumns(B + (long)(Jc + j0) * Ldb + Pc, Ldb, Kc, cols, Width, d);
        }
    }

    /// <summary>Packs the panels of one column block of B over every depth block, in <see cref="PackAll"/>'s order; item = depth block · panels + panel.</summary>
    private struct PackBlockBody : IParallelBody
    {
        public float* B; public int Ldb; public bool TransB; public int Jc, Nc, K, Width, KcMax, Panels; public float* Dst;

        public readonly void Invoke(int item)
        {
            int kb = item / Panels, panel = item % Panels;
            int pc = kb * KcMax, kc = Math.Min(KcMax, K - pc);
            float* dst = Dst + (long)Panels * Width * pc + (long)panel * kc * Width;
            int j0 = Jc + panel * Width;
            int cols = Math.Min(Width, Nc - panel * Width);
            if (!TransB) GemmPacking.PackRows(B + (long)pc * Ldb + j0, Ldb, kc, cols, Width, dst);
            else GemmPacking.PackColumns(B + (long)j0 * Ldb + pc, Ldb, kc, cols, Width, dst);
        }
    }

    private struct ComputeBody : IParallelBody
    {
        public bool TransA; public float* A; public int Lda; public float* Packed; public int K, KcMax, Width;
        public float* C; public int Ldc; public int M, Nc; public float Alpha, Beta;
        public int RowBlock, ColBlocks, PanelsPerBlock, Panels;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Invoke(int task)
        {
            int rb = task / ColBlocks, cb = task % ColBlocks;
            int i0 = rb * RowBlock, i1 = Math.Min(M, i0 + RowBlock);
            int q0 = cb * PanelsPerBlock, q1 = Math.Min(Panels, q0 + PanelsPerBlock);
            int mr = Rows;
            var full = Kernel(Width, TransA, mr);
            // Depth blocks in order (C accumulates from the second on); within one, B panel outer, rows inner: the panel
            // (Kc × Width) stays in L1 while the rows of A stream from L2.
            for (int pc = 0; pc < K; pc += KcMax)
            {
                int kc = Math.Min(KcMax, K - pc);
                float* block = Packed + (long)Panels * Width * pc;
                float* a = TransA ? A + (long)pc * Lda : A + pc;
                float beta = pc == 0 ? Beta : 1f;
                for (int q = q0; q < q1; q++)
                {
                    float* bp = block + (long)q * kc * Width;
                    int j = q * Width;
                    int cols = Math.Min(Width, Nc - j);
                    for (int i = i0; i < i1; i += mr)
                    {
                        int rows = Math.Min(mr, i1 - i);
                        var kernel = rows == mr ? full : Kernel(Width, TransA, rows);
                        float* ai = TransA ? a + i : a + (long)i * Lda;
                        kernel(kc, ai, Lda, bp, C + (long)i * Ldc + j, Ldc, Alpha, beta, cols);
                    }
                }
            }
        }
    }

    private struct BatchBody : IParallelBody
    {
        public bool TransA, TransB; public int M, N, K; public float Alpha, Beta;
        public float* A; public int Lda; public long StrideA;
        public float* B; public int Ldb; public long StrideB;
        public float* C; public int Ldc; public long StrideC;

        public readonly void Invoke(int index)
            => Core(TransA, TransB, M, N, K, Alpha, A + index * StrideA, Lda, B + index * StrideB, Ldb, Beta, C + index * StrideC, Ldc, threads: 1);
    }

    // ---------------------------------------------------------------------------------------------
    // C = beta·C (k = 0 or alpha = 0); beta = 0 writes zeros without reading C.

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else Vec.Scale(row, beta);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Argument checks (the pointer forms can only check sizes; the span forms check that every view fits).

    private static void CheckSizes(int m, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
    }

    private static void CheckView(string name, int length, int rows, int cols, int ld)
    {
        if (ld < cols) throw new ArgumentOutOfRangeException(name, $"Leading dimension of {name} ({ld}) is smaller than its stored row width ({cols}).");
        long needed = (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"Matrix {name} needs {needed} floats ({rows}×{cols}, stride {ld}) but the buffer holds {length}.", name);
    }

    private static void CheckBatch(string name, int length, int rows, int cols, int ld, long stride, int batch)
    {
        CheckView(name, length, rows, cols, ld);
        if (stride < 0) throw new ArgumentOutOfRangeException(name, $"Batch stride of {name} is negative ({stride}).");
        long needed = stride * (batch - 1) + (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"Batched matrix {name} needs {needed} floats ({batch} × {rows}×{cols}, stride {ld}, batch stride {stride}) but the buffer holds {length}.", name);
    }
}
