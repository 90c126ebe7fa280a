using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Inference;

/// <summary>
/// Causal grouped-query attention of new tokens against a KV cache. Token t of row b sits at position pos0 + t
/// and attends to cache positions 0 … pos0 + t of cache row rows[b] (its own key/value already written there).
/// B = rows, T = new tokens per row, Hq / Hkv = heads, D = head dim, S = positions attended.
/// Work items are (b, query head); each runs on one thread with its scores in thread scratch.
/// </summary>
internal static unsafe class CachedAttention
{
    // att (B·T, Hq·D) ← softmax(q·Kᵀ/√D)·V, q read from qkv (B·T, Hq·D + 2·Hkv·D), K/V from the cache (rows, Hkv, MaxT, D)
    public static void Forward(float* att, float* qkv, float* kCache, float* vCache, int* rows, int batch, int time, int pos0,
        int heads, int kvHeads, int headDim, int maxT)
    {
        var body = new Body
        {
            Att = att, Qkv = qkv, K = kCache, V = vCache, Rows = rows, T = time, Pos0 = pos0, Hq = heads, Hkv = kvHeads, D = headDim, MaxT = maxT,
            QkvWidth = (heads + 2 * kvHeads) * headDim, Scale = 1f / MathF.Sqrt(headDim),
        };
        int items = batch * heads;
        // Below ~64K multiply-adds a hand-off to the other thread costs more than it saves (a decode step of one row).
        long work = (long)items * time * (pos0 + time) * headDim;
        if (work < 1 << 16)
            for (int i = 0; i < items; i++) body.Invoke(i);
        else
            EngineThreads.ParallelFor(items, body);
    }

    private const int BlockMinTokens = 4; // below this, transposing K costs more than it saves
    private const int GemmMinTokens = 16; // from here on (a prompt pass) two matrix products beat per-query loops
    private const int ProductRows = 64;   // query rows per pair of products: keeps the skipped triangle past the diagonal small

    private struct Body : IParallelBody
    {
        public float* Att, Qkv, K, V;
        public int* Rows;
        public int T, Pos0, Hq, Hkv, D, MaxT, QkvWidth;
        public float Scale;

        public readonly void Invoke(int item)
        {
            int b = item / Hq, h = item % Hq, g = h / (Hq / Hkv);
            long cacheBase = ((long)Rows[b] * Hkv + g) * MaxT * D;
            float* k0 = K + cacheBase, v0 = V + cacheBase;
            if (T >= GemmMinTokens) { Products(b, h, k0, v0); return; }
            if (T >= BlockMinTokens && Vector128.IsHardwareAccelerated) { Block(b, h, k0, v0); return; }
            float* scores = ThreadScratch.Get(Pos0 + T);
            for (int t = 0; t < T; t++)
            {
                int s = Pos0 + t + 1;
                long n = (long)b * T + t;
                float* q = Qkv + n * QkvWidth + h * D;
                Scores(scores, q, k0, s, D, Scale);
                Softmax.InPlace(new Span<float>(scores, s));
                WeightedSum(Att + n * Hq * D + h * D, scores, v0, s, D);
            }
        }

        // A prompt pass: the T queries of one head as two matrix products per block of query rows, scores = q·Kᵀ/√D
        // and att = P·V, so the packed GEMM kernels do the work instead of one dot product per (query, key). A block
        // of rows [t0, t1) only computes the keys it can see (0 … Pos0 + t1 − 1); past the diagonal P is zero.
        private readonly void Products(int b, int h, float* k0, float* v0)
        {
            int s = Pos0 + T, rows = Math.Min(T, ProductRows), stride = (s + 15) & ~15;
            float* scores = ThreadScratch.Get(rows * stride);                                    // (rows, S) at a stride of whole vectors
            int attWidth = Hq * D;
            for (int t0 = 0; t0 < T; t0 += ProductRows)
            {
                int m = Math.Min(ProductRows, T - t0), seen = Pos0 + t0 + m;
                long n0 = (long)b * T + t0;
                float* q = Qkv + n0 * QkvWidth + h * D;
                Gemm.Sgemm(false, true, m, seen, D, Scale, q, QkvWidth, k0, D, 0f, scores, stride);         // (m, seen) = q·Kᵀ/√D
                for (int i = 0; i < m; i++) CausalSoftmax(scores + (long)i * stride, Pos0 + t0 + i + 1, seen);
                Gemm.Sgemm(false, false, m, D, seen, 1f, scores, stride, v0, D, 0f, Att + n0 * attWidth + h * D, attWidth); // (m, D) = P·V
            }
        }

        // Many queries of one head at once: K is transposed once into a (D, S) tile so that each query's scores
        // come out 16 keys per vector with no horizontal sums; the tile stays in L1 for all T queries.
        private readonly void Block(int b, int h, float* k0, float* v0)
        {
            int s = Pos0 + T, padded = (s + 15) & ~15;
            float* kt = ThreadScratch.Get(D * padded + padded);                                  // (D, S padded) + scores
            float* scores = kt + (long)D * padded;
            for (int j = 0; j < s; j++)
                for (int d = 0; d < D; d++) kt[(long)d * padded + j] = k0[(long)j * D + d];
            for (int d = 0; d < D; d++) new Span<float>(kt + (long)d * padded + s, padded - s).Clear();
            var scale = Vector512.Create(Scale);
            var scaleN = new Vector<float>(Scale);
            int lanes = Vector<float>.Count;
            for (int t = 0; t < T; t++)
            {
                int visible = Pos0 + t + 1;
                long n = (long)b * T + t;
                float* q = Qkv + n * QkvWidth + h * D;
                for (int c = 0; c < visible && !SimdPath.Is512; c += lanes)
                {
                    var acc = Vector<float>.Zero;
                    for (int d = 0; d < D; d++) acc = Vector.MultiplyAddEstimate(new Vector<float>(q[d]), Vector.Load(kt + (long)d * padded + c), acc);
                    (acc * scaleN).Store(scores + c);
                }
                for (int c = 0; c < visible && SimdPath.Is512; c += 16)
                {
                    var acc = Vector512<float>.Zero;
                    for (int d = 0; d < D; d++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(q[d]), Vector512.Load(kt + (long)d * padded + c), acc);
                    (acc * scale).Store(scores + c);
                }
                Softmax.InPlace(new Span<float>(scores, visible));
                WeightedSum(Att + n * Hq * D + h * D, scores, v0, visible, D);
            }
        }
    }

    // row[0 … visible) ← softmax, row[visible … width) ← 0. WHY not Softmax.InPlace: a prompt pass runs one short row
    // per (query, head), and there the scalar tail and three calls per row cost more than the exponentials; whole
    // vectors with the lanes past `visible` masked out do the row in one pass of loads (the row has room up to a
    // multiple of 16, and what lies past `width` is never read as a score).
    private static void CausalSoftmax(float* row, int visible, int width)
    {
        if (!SimdPath.Is512 && Vector128.IsHardwareAccelerated)
        {
            CausalSoftmaxNarrow(row, visible, width);
            return;
        }
        if (!SimdPath.Is512)
        {
            Softmax.InPlace(new Span<float>(row, visible));
            new Span<float>(row + visible, width - visible).Clear();
            return;
        }
        var lane = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var limit = Vector512.Create((float)visible);
        var ninf = Vector512.Create(float.NegativeInfinity);
        var max = ninf;
        for (int i = 0; i < visible; i += 16)
        {
            var keep = Vector512.LessThan(lane + Vector512.Create((float)i), limit);
            max = Vector512.Max(max, Vector512.ConditionalSelect(keep, Vector512.Load(row + i), ninf));
        }
        var shift = Vector512.Create(HorizontalMax(max));
        var sum = Vector512<float>.Zero;
        for (int i = 0; i < visible; i += 16)
        {
            var keep = Vector512.LessThan(lane + Vector512.Create((float)i), limit);
            var e = Vector512.ConditionalSelect(keep, FastMath.Exp(Vector512.Load(row + i) - shift), Vector512<float>.Zero);
            e.Store(row + i);
            sum += e;
        }
        var inv = Vector512.Create(1f / Vector512.Sum(sum));
        int filled = (visible + 15) & ~15;
        for (int i = 0; i < filled; i += 16) (Vector512.Load(row + i) * inv).Store(row + i);
        if (filled < width) new Span<float>(row + filled, width - filled).Clear();
    }

    // CausalSoftmax in Vector<float> lanes (the 256- and 128-bit paths; 16 is a multiple of the lane count).
    private static void CausalSoftmaxNarrow(float* row, int visible, int width)
    {
        int lanes = Vector<float>.Count;
        var lane = Vector<float>.Indices;
        var limit = new Vector<float>(visible);
        var ninf = new Vector<float>(float.NegativeInfinity);
        var max = ninf;
        for (int i = 0; i < visible; i += lanes)
        {
            var keep = Vector.LessThan(lane + new Vector<float>(i), limit);
            max = Vector.Max(max, Vector.ConditionalSelect(keep, Vector.Load(row + i), ninf));
        }
        float m = float.NegativeInfinity;
        for (int j = 0; j < lanes; j++) m = MathF.Max(m, max[j]);
        var shift = new Vector<float>(m);
        var sum = Vector<float>.Zero;
        for (int i = 0; i < visible; i += lanes)
        {
            var keep = Vector.LessThan(lane + new Vector<float>(i), limit);
            var e = Vector.ConditionalSelect(keep, FastMath.Exp(Vector.Load(row + i) - shift), Vector<float>.Zero);
            e.Store(row + i);
            sum += e;
        }
        var inv = new Vector<float>(1f / Vector.Sum(sum));
        int filled = (visible + lanes - 1) & -lanes;
        for (int i = 0; i < filled; i += lanes) (Vector.Load(row + i) * inv).Store(row + i);
        if (filled < width) new Span<float>(row + filled, width - filled).Clear();
    }

    private static float HorizontalMax(Vector512<float> v)
    {
        var half = Vector256.Max(v.GetLower(), v.GetUpper());
        var quarter = Vector128.Max(half.GetLower(), half.GetUpper());
        return MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
    }

    // scores[j] = dot(q, k_j)·scale for j < s, four keys at a time: the four dot products are independent chains, so
    // they overlap instead of each waiting on its own multiply-adds and horizontal sum. Each is summed as Dot sums it.
    private static void Scores(float* scores, float* q, float* k0, int s, int d, float scale)
    {
        int j = 0;
        if (!SimdPath.Is512 && Vector128.IsHardwareAccelerated && d % Vector<float>.Count == 0)
        {
            int lanes = Vector<float>.Count;
            for (; j + 4 <= s; j += 4)
            {
                float* k = k0 + (long)j * d;
                var qv = Vector.Load(q);
                Vector<float> a0 = qv * Vector.Load(k), a1 = qv * Vector.Load(k + d), a2 = qv * Vector.Load(k + 2 * d), a3 = qv * Vector.Load(k + 3 * d);
                for (int i = lanes; i < d; i += lanes)
                {
                    qv = Vector.Load(q + i);
                    a0 = Vector.MultiplyAddEstimate(qv, Vector.Load(k + i), a0);
                    a1 = Vector.MultiplyAddEstimate(qv, Vector.Load(k + d + i), a1);
                    a2 = Vector.MultiplyAddEstimate(qv, Vector.Load(k + 2 * d + i), a2);
                    a3 = Vector.MultiplyAddEstimate(qv, Vector.Load(k + 3 * d + i), a3);
                }
                scores[j] = Vector.Sum(a0) * scale;
                scores[j + 1] = Vector.Sum(a1) * scale;
                scores[j + 2] = Vector.Sum(a2) * scale;
                scores[j + 3] = Vector.Sum(a3) * scale;
            }
        }
        for (; j < s; j++) scores[j] = Dot(q, k0 + (long)j * d, d) * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int d)
    {
        if (SimdPath.Is512 && (d & 15) == 0)
        {
            var acc = Vector512.Load(a) * Vector512.Load(b);
            for (int i = 16; i < d; i += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            return Vector512.Sum(acc);
        }
        if (!SimdPath.Is512 && Vector128.IsHardwareAccelerated && d % Vector<float>.Count == 0)
        {
            var acc = Vector.Load(a) * Vector.Load(b);
            for (int i = Vector<float>.Count; i < d; i += Vector<float>.Count) acc = Vector.MultiplyAddEstimate(Vector.Load(a + i), Vector.Load(b + i), acc);
            return Vector.Sum(acc);
        }
        return TensorPrimitives.Dot(new ReadOnlySpan<float>(a, d), new ReadOnlySpan<float>(b, d));
    }

    // out (D) = Σ_j p[j]·v[j] (s, D)
    private static void WeightedSum(float* output, float* p, float* v, int s, int d)
    {
        if (SimdPath.Is512 && (d & 15) == 0)
        {
            for (int c = 0; c < d; c += 16)
            {
                var acc = Vector512<float>.Zero;
                float* col = v + c;
                for (int j = 0; j < s; j++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(p[j]), Vector512.Load(col + (long)j * d), acc);
                acc.Store(output + c);
            }
            return;
        }
        if (!SimdPath.Is512 && Vector128.IsHardwareAccelerated && d % Vector<float>.Count == 0)
        {
            int lanes = Vector<float>.Count, c = 0;
            // Four column blocks per pass down the rows: four independent chains of multiply-adds instead of one.
            for (; c + 4 * lanes <= d; c += 4 * lanes)
            {
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* col = v + c;
                for (int j = 0; j < s; j++, col += d)
                {
                    var pj = new Vector<float>(p[j]);
                    a0 = Vector.MultiplyAddEstimate(pj, Vector.Load(col), a0);
                    a1 = Vector.MultiplyAddEstimate(pj, Vector.Load(col + lanes), a1);
                    a2 = Vector.MultiplyAddEstimate(pj, Vector.Load(col + 2 * lanes), a2);
                    a3 = Vector.MultiplyAddEstimate(pj, Vector.Load(col + 3 * lanes), a3);
                }
                a0.Store(output + c);
                a1.Store(output + c + lanes);
                a2.Store(output + c + 2 * lanes);
                a3.Store(output + c + 3 * lanes);
            }
            for (; c < d; c += lanes)
            {
                var acc = Vector<float>.Zero;
                float* col = v + c;
                for (int j = 0; j < s; j++) acc = Vector.MultiplyAddEstimate(new Vector<float>(p[j]), Vector.Load(col + (long)j * d), acc);
                acc.Store(output + c);
            }
            return;
        }
        var o = new Span<float>(output, d);
        o.Clear();
        for (int j = 0; j < s; j++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v + (long)j * d, d), p[j], o, o);
    }
}
