using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Causal scaled dot-product attention with grouped-query heads and a key-padding mask.
/// B = batch, T = sequence, Hq = query heads, Hkv = key/value heads (query head h reads kv head h / (Hq/Hkv)),
/// D = head dim. Row b·T + t of q/k/v holds token t of sequence b, heads side by side. lengths[b] is the number
/// of real tokens of a right-padded sequence: keys at t ≥ lengths[b] are masked; an empty span means all T are real.
/// Work is split per (b, kv head): each item handles the query heads of its group on one thread, so the gradients of
/// shared keys and values are summed without races and in a fixed order.
/// </summary>
internal static unsafe class Attention
{
    // y (B·T, Hq·D), att (B, Hq, T, T) ← q (B·T, Hq·D), k (B·T, Hkv·D), v (B·T, Hkv·D)
    public static void Forward(Span<float> y, Span<float> att, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<int> lengths, int batch, int seqLen, int heads, int kvHeads, int headDim)
    {
        Check(y.Length, att.Length, q.Length, k.Length, v.Length, lengths, batch, seqLen, heads, kvHeads, headDim);
        fixed (float* py = y, pa = att, pq = q, pk = k, pv = v)
        fixed (int* pl = lengths)
        {
            var body = new ForwardBody { Shape = new(batch, seqLen, heads, kvHeads, headDim), Y = py, Att = pa, Q = pq, K = pk, V = pv, Lengths = pl };
            EngineThreads.ParallelFor(batch * kvHeads, body);
        }
    }

    // dq, dk, dv += ∂L/∂(q, k, v) given dy (B·T, Hq·D) and the saved att (B, Hq, T, T)
    public static void Backward(Span<float> dq, Span<float> dk, Span<float> dv, ReadOnlySpan<float> dy, ReadOnlySpan<float> att,
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> lengths, int batch, int seqLen, int heads, int kvHeads, int headDim)
    {
        Check(dy.Length, att.Length, q.Length, k.Length, v.Length, lengths, batch, seqLen, heads, kvHeads, headDim);
        Check(dq.Length, att.Length, dq.Length, dk.Length, dv.Length, lengths, batch, seqLen, heads, kvHeads, headDim);
        fixed (float* pdq = dq, pdk = dk, pdv = dv, pdy = dy, pa = att, pq = q, pk = k, pv = v)
        fixed (int* pl = lengths)
        {
            // One item per (b, kv head): the query heads of a group add into the same dk/dv, so they stay on one thread.
            var body = new BackwardBody { Shape = new(batch, seqLen, heads, kvHeads, headDim), Dq = pdq, Dk = pdk, Dv = pdv, Dy = pdy, Att = pa, Q = pq, K = pk, V = pv, Lengths = pl };
            EngineThreads.ParallelFor(batch * kvHeads, body);
        }
    }

    private static void Check(int yLength, int attLength, int qLength, int kLength, int vLength, ReadOnlySpan<int> lengths,
        int batch, int seqLen, int heads, int kvHeads, int headDim)
    {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new ArgumentException($"Query heads ({heads}) must be a multiple of key/value heads ({kvHeads}).");
        long rows = (long)batch * seqLen;
        if (qLength < rows * heads * headDim || yLength < rows * heads * headDim) throw new ArgumentException($"Attention expects q and y of shape ({rows}, {heads * headDim}).");
        if (kLength < rows * kvHeads * headDim || vLength < rows * kvHeads * headDim) throw new ArgumentException($"Attention expects k and v of shape ({rows}, {kvHeads * headDim}).");
        if (attLength < (long)batch * heads * seqLen * seqLen) throw new ArgumentException($"Attention expects att of shape ({batch}, {heads}, {seqLen}, {seqLen}).");
        if (!lengths.IsEmpty && lengths.Length != batch) throw new ArgumentException($"lengths has {lengths.Length} entries for a batch of {batch}.");
    }

    private readonly record struct AttentionShape(int B, int T, int Hq, int Hkv, int D)
    {
        public int QWidth => Hq * D;
        public int KvWidth => Hkv * D;
        public int Group => Hq / Hkv;
        public float Scale => 1f / MathF.Sqrt(D);
    }

    // Number of keys query t may see: causal (≤ t) and not padding (< length).
    private static int VisibleKeys(int* lengths, int b, int t, int seqLen) => Math.Min(t + 1, lengths == null ? seqLen : Math.Min(lengths[b], seqLen));

    // ---------------------------------------------------------------------------------------------
    // Fused kernels. Per (b, kv head): the group's keys (or values) are transposed once into a (D, Tp) tile so that
    // the scores of one query against 16 keys are D broadcast-FMAs; only the causal/unpadded prefix of each row is
    // computed, the softmax runs in place, and the weighted sum of values is a row of axpys.

    // out[j] = scale · Σ_d x[d] · tile[d, j] for j < 16·blocks
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTimesTile(float* x, float* tile, int d, int tp, int blocks, float* output, float scale)
    {
        if (!SimdPath.Is512)
        {
            // Eight accumulators per pass down the tile while at least 8 vectors of columns are left (64 keys on AVX2:
            // a whole row of a 64-token context in one pass, eight independent chains), then two at a time. Each column
            // still sums its products in k order, so the grouping changes no result.
            int lanes = Vector<float>.Count;
            var vs = new Vector<float>(scale);
            int c0 = 0;
            for (; c0 + 8 * lanes <= 16 * blocks; c0 += 8 * lanes)
            {
                Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                float* col = tile + c0;
                for (int k = 0; k < d; k++, col += tp)
                {
                    var xk = new Vector<float>(x[k]);
                    a0 += xk * Vector.Load(col);
                    a1 += xk * Vector.Load(col + lanes);
                    a2 += xk * Vector.Load(col + 2 * lanes);
                    a3 += xk * Vector.Load(col + 3 * lanes);
                    a4 += xk * Vector.Load(col + 4 * lanes);
                    a5 += xk * Vector.Load(col + 5 * lanes);
                    a6 += xk * Vector.Load(col + 6 * lanes);
                    a7 += xk * Vector.Load(col + 7 * lanes);
                }
                float* o = output + c0;
                (a0 * vs).Store(o); (a1 * vs).Store(o + lanes); (a2 * vs).Store(o + 2 * lanes); (a3 * vs).Store(o + 3 * lanes);
                (a4 * vs).Store(o + 4 * lanes); (a5 * vs).Store(o + 5 * lanes); (a6 * vs).Store(o + 6 * lanes); (a7 * vs).Store(o + 7 * lanes);
            }
            for (int c = c0; c < 16 * blocks; c += 2 * lanes)
            {
                Vector<float> acc0 = Vector<float>.Zero, acc1 = Vector<float>.Zero;
                float* col = tile + c;
                for (int k = 0; k < d; k++)
                {
                    var xk = new Vector<float>(x[k]);
                    acc0 += xk * Vector.Load(col + (long)k * tp);
                    acc1 += xk * Vector.Load(col + (long)k * tp + lanes);
                }
                (acc0 * vs).Store(output + c);
                (acc1 * vs).Store(output + c + lanes);
            }
            return;
        }
        for (int blk = 0; blk < blocks; blk++)
        {
            var acc = Vector512<float>.Zero;
            float* col = tile + blk * 16;
            for (int k = 0; k < d; k++) acc += Vector512.Create(x[k]) * Vector512.Load(col + (long)k * tp);
            Vector512.Store(acc * scale, output + blk * 16);
        }
    }

    // Four rows at once (256/128-bit paths): out_r[j] = scale · Σ_d x_r[d] · tile[d, j] for r < 4 (rows of x xStride
    // apart, of out outStride apart) and j < cols, a multiple of 2·lanes (the tile is zero-padded to a multiple of 16).
    // WHY: one row at a time, a query against fewer than 64 keys ran two accumulator chains down the tile, bound by the
    // latency of each multiply-add (a quarter of the core's throughput); four rows share each tile load and run eight
    // independent chains. Every score is the same products added in the same k order, so nothing changes but the time.
    private static void RowsTimesTile4(float* x, long xStride, float* tile, int d, int tp, int cols, float* output, long outStride, float scale)
    {
        int lanes = Vector<float>.Count;
        var vs = new Vector<float>(scale);
        float* x0 = x, x1 = x + xStride, x2 = x + 2 * xStride, x3 = x + 3 * xStride;
        for (int c = 0; c < cols; c += 2 * lanes)
        {
            Vector<float> a00 = Vector<float>.Zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            float* col = tile + c;
            for (int k = 0; k < d; k++, col += tp)
            {
                var t0 = Vector.Load(col);
                var t1 = Vector.Load(col + lanes);
                var b0 = new Vector<float>(x0[k]); a00 += b0 * t0; a01 += b0 * t1;
                var b1 = new Vector<float>(x1[k]); a10 += b1 * t0; a11 += b1 * t1;
                var b2 = new Vector<float>(x2[k]); a20 += b2 * t0; a21 += b2 * t1;
                var b3 = new Vector<float>(x3[k]); a30 += b3 * t0; a31 += b3 * t1;
            }
            float* o = output + c;
            (a00 * vs).Store(o); (a01 * vs).Store(o + lanes); o += outStride;
            (a10 * vs).Store(o); (a11 * vs).Store(o + lanes); o += outStride;
            (a20 * vs).Store(o); (a21 * vs).Store(o + lanes); o += outStride;
            (a30 * vs).Store(o); (a31 * vs).Store(o + lanes);
        }
    }

    // Two rows at once: AccumulateRows(ya, ca, rows, ld, countA, d) and AccumulateRows(yb, cb, rows, ld, countB, d), the
    // keys both rows see taken together (each row still adds its keys in j order), so eight chains instead of four and
    // one load of each row of values for both. d a multiple of the lane count.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRows2(float* ya, float* ca, int countA, float* yb, float* cb, int countB, float* rows, long ld, int d)
    {
        int lanes = Vector<float>.Count;
        int common = Math.Min(countA, countB);
        int x = 0;
        for (; x + 4 * lanes <= d; x += 4 * lanes)
        {
            Vector<float> a0 = Vector.Load(ya + x), a1 = Vector.Load(ya + x + lanes), a2 = Vector.Load(ya + x + 2 * lanes), a3 = Vector.Load(ya + x + 3 * lanes);
            Vector<float> b0 = Vector.Load(yb + x), b1 = Vector.Load(yb + x + lanes), b2 = Vector.Load(yb + x + 2 * lanes), b3 = Vector.Load(yb + x + 3 * lanes);
            float* r = rows + x;
            for (int j = 0; j < common; j++, r += ld)
            {
                var r0 = Vector.Load(r); var r1 = Vector.Load(r + lanes); var r2 = Vector.Load(r + 2 * lanes); var r3 = Vector.Load(r + 3 * lanes);
                var cj = new Vector<float>(ca[j]);
                a0 += cj * r0; a1 += cj * r1; a2 += cj * r2; a3 += cj * r3;
                var dj = new Vector<float>(cb[j]);
                b0 += dj * r0; b1 += dj * r1; b2 += dj * r2; b3 += dj * r3;
            }
            for (int j = common; j < countA; j++, r += ld)
            {
                var cj = new Vector<float>(ca[j]);
                a0 += cj * Vector.Load(r); a1 += cj * Vector.Load(r + lanes); a2 += cj * Vector.Load(r + 2 * lanes); a3 += cj * Vector.Load(r + 3 * lanes);
            }
            r = rows + x + common * ld;
            for (int j = common; j < countB; j++, r += ld)
            {
                var dj = new Vector<float>(cb[j]);
                b0 += dj * Vector.Load(r); b1 += dj * Vector.Load(r + lanes); b2 += dj * Vector.Load(r + 2 * lanes); b3 += dj * Vector.Load(r + 3 * lanes);
            }
            a0.Store(ya + x); a1.Store(ya + x + lanes); a2.Store(ya + x + 2 * lanes); a3.Store(ya + x + 3 * lanes);
            b0.Store(yb + x); b1.Store(yb + x + lanes); b2.Store(yb + x + 2 * lanes); b3.Store(yb + x + 3 * lanes);
        }
        if (x < d)
        {
            AccumulateRows(ya + x, ca, rows + x, ld, countA, d - x);
            AccumulateRows(yb + x, cb, rows + x, ld, countB, d - x);
        }
    }

    // y[0..n) += a · x[0..n)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float a, float* x, float* y, int n)
    {
        int i = 0;
        if (SimdPath.Is512)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.Load(y + i) + va * Vector512.Load(x + i), y + i);
        }
        else
        {
            var va = new Vector<float>(a);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count) (Vector.Load(y + i) + va * Vector.Load(x + i)).Store(y + i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    // y[0..d) += Σ_j c[j] · rows[j·ld .. j·ld + d) for j < count, in j order, y held in up to four Vector<float> registers
    // per pass (d a multiple of the lane count: 16–32 floats, the engine's head sizes, are one pass on AVX2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRows(float* y, float* c, float* rows, long ld, int count, int d)
    {
        int lanes = Vector<float>.Count;
        int x = 0;
        for (; x + 4 * lanes <= d; x += 4 * lanes)
        {
            Vector<float> y0 = Vector.Load(y + x), y1 = Vector.Load(y + x + lanes), y2 = Vector.Load(y + x + 2 * lanes), y3 = Vector.Load(y + x + 3 * lanes);
            float* r = rows + x;
            for (int j = 0; j < count; j++, r += ld)
            {
                var cj = new Vector<float>(c[j]);
                y0 += cj * Vector.Load(r);
                y1 += cj * Vector.Load(r + lanes);
                y2 += cj * Vector.Load(r + 2 * lanes);
                y3 += cj * Vector.Load(r + 3 * lanes);
            }
            y0.Store(y + x); y1.Store(y + x + lanes); y2.Store(y + x + 2 * lanes); y3.Store(y + x + 3 * lanes);
        }
        if (x + 2 * lanes <= d)
        {
            Vector<float> y0 = Vector.Load(y + x), y1 = Vector.Load(y + x + lanes);
            float* r = rows + x;
            for (int j = 0; j < count; j++, r += ld)
            {
                var cj = new Vector<float>(c[j]);
                y0 += cj * Vector.Load(r);
                y1 += cj * Vector.Load(r + lanes);
            }
            y0.Store(y + x); y1.Store(y + x + lanes);
            x += 2 * lanes;
        }
        if (x + lanes <= d)
        {
            Vector<float> y0 = Vector.Load(y + x);
            float* r = rows + x;
            for (int j = 0; j < count; j++, r += ld) y0 += new Vector<float>(c[j]) * Vector.Load(r);
            y0.Store(y + x);
        }
    }

    // dk[0..d) += Σ_i g[i·gs]·q_i and dv[0..d) += Σ_i p[i·ps]·dy_i for i < count (rows of q and dy ld apart), in i order,
    // both held in registers (up to four Vector<float> each per pass: d a multiple of the lane count).
    private static void AccumulateColumn(float* dk, float* dv, float* g, long gs, float* p, long ps, float* q, float* dy, long ld, int count, int d)
    {
        int l = Vector<float>.Count;
        for (int x = 0; x < d; x += 4 * l)
        {
            int n = Math.Min(4, (d - x) / l);
            if (n == 4)
            {
                Vector<float> k0 = Vector.Load(dk + x), k1 = Vector.Load(dk + x + l), k2 = Vector.Load(dk + x + 2 * l), k3 = Vector.Load(dk + x + 3 * l);
                Vector<float> v0 = Vector.Load(dv + x), v1 = Vector.Load(dv + x + l), v2 = Vector.Load(dv + x + 2 * l), v3 = Vector.Load(dv + x + 3 * l);
                float* qi = q + x, yi = dy + x;
                for (int i = 0; i < count; i++, qi += ld, yi += ld)
                {
                    var gi = new Vector<float>(g[i * gs]);
                    k0 += gi * Vector.Load(qi); k1 += gi * Vector.Load(qi + l); k2 += gi * Vector.Load(qi + 2 * l); k3 += gi * Vector.Load(qi + 3 * l);
                    var pi = new Vector<float>(p[i * ps]);
                    v0 += pi * Vector.Load(yi); v1 += pi * Vector.Load(yi + l); v2 += pi * Vector.Load(yi + 2 * l); v3 += pi * Vector.Load(yi + 3 * l);
                }
                k0.Store(dk + x); k1.Store(dk + x + l); k2.Store(dk + x + 2 * l); k3.Store(dk + x + 3 * l);
                v0.Store(dv + x); v1.Store(dv + x + l); v2.Store(dv + x + 2 * l); v3.Store(dv + x + 3 * l);
                continue;
            }
            for (int c = x; c < x + n * l; c += l)
            {
                Vector<float> k0 = Vector.Load(dk + c), v0 = Vector.Load(dv + c);
                float* qi = q + c, yi = dy + c;
                for (int i = 0; i < count; i++, qi += ld, yi += ld)
                {
                    k0 += new Vector<float>(g[i * gs]) * Vector.Load(qi);
                    v0 += new Vector<float>(p[i * ps]) * Vector.Load(yi);
                }
                k0.Store(dk + c); v0.Store(dv + c);
            }
        }
    }

    // tile (D, Tp) = rows (T, D)ᵀ with row stride ld, zero beyond T; 16 × 16 blocks through registers where D allows
    // (a scalar copy of strided loads was a tenth of attention's time on AVX2)
    private static void TransposeToTile(float* rows, int ld, int t, int d, int tp, float* tile)
    {
        int j0 = 0;
        if ((d & 15) == 0)
            for (; j0 + 16 <= t; j0 += 16)
                for (int k0 = 0; k0 < d; k0 += 16)
                    GemmPacking.Transpose16(rows + (long)j0 * ld + k0, ld, tile + (long)k0 * tp + j0, tp);
        for (int k = 0; k < d; k++)
        {
            float* dst = tile + (long)k * tp;
            for (int j = j0; j < t; j++) dst[j] = rows[(long)j * ld + k];
            for (int j = t; j < tp; j++) dst[j] = 0f;
        }
    }

    // y[0..n) = a · x[0..n), element by element (the softmax's normalisation into att)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleInto(float* x, float a, float* y, int n)
    {
        int i = 0;
        var va = new Vector<float>(a);
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count) (Vector.Load(x + i) * va).Store(y + i);
        for (; i < n; i++) y[i] = x[i] * a;
    }

    // ds[j] = p[j] · (ds[j] − dot) · scale for j < n, element by element (softmax's backward in place)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxBackwardInPlace(float* p, float* ds, float dot, float scale, int n)
    {
        int i = 0;
        var vd = new Vector<float>(dot);
        var vs = new Vector<float>(scale);
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count) (Vector.Load(p + i) * (Vector.Load(ds + i) - vd) * vs).Store(ds + i);
        for (; i < n; i++) ds[i] = p[i] * (ds[i] - dot) * scale;
    }

    private struct ForwardBody : IParallelBody
    {
        public AttentionShape Shape;
        public float* Y, Att, Q, K, V;
        public int* Lengths;

        public readonly void Invoke(int item)
        {
            var s = Shape;
            int b = item / s.Hkv, kvh = item % s.Hkv, T = s.T, D = s.D, tp = (T + 15) & ~15;
            long kvOffset = (long)b * T * s.KvWidth + kvh * s.D;
            float* kt = ThreadScratch.Get(D * tp + 4 * tp);   // (D, Tp) keys, then up to four rows of scores
            float* scores = kt + D * tp;
            TransposeToTile(K + kvOffset, s.KvWidth, T, D, tp, kt);
            float* v = V + kvOffset;
            if (!SimdPath.Is512 && D % Vector<float>.Count == 0)
            {
                for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
                    ForwardRows4(s, b, h, kt, tp, v, scores);
                return;
            }
            for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
                for (int i = 0; i < T; i++)
                {
                    int visible = VisibleKeys(Lengths, b, i, T);
                    float* att = Att + (((long)b * s.Hq + h) * T + i) * T;
                    float* y = Y + ((long)b * T + i) * s.QWidth + h * D;
                    new Span<float>(y, D).Clear();
                    if (visible == 0) { new Span<float>(att, T).Clear(); continue; }
                    // scores (visible) = q_i · k_jᵀ / √D, softmax in place
                    RowTimesTile(Q + ((long)b * T + i) * s.QWidth + h * D, kt, D, tp, (visible + 15) >> 4, scores, s.Scale);
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < visible; j++) max = Math.Max(max, scores[j]);
                    float inv = 1f / FastMath.ExpShiftedInPlace(scores, visible, max);
                    // att row = probabilities, zero past the visible keys; y_i = Σ_j p_j v_j
                    if (!SimdPath.Is512 && D % Vector<float>.Count == 0)
                    {
                        // The 256/128-bit paths hold y_i in registers across the keys (the same adds in the same order).
                        for (int j = 0; j < visible; j++) att[j] = scores[j] * inv;
                        AccumulateRows(y, att, v, s.KvWidth, visible, D);
                        new Span<float>(att + visible, T - visible).Clear();
                        continue;
                    }
                    for (int j = 0; j < visible; j++)
                    {
                        float p = scores[j] * inv;
                        att[j] = p;
                        Axpy(p, v + (long)j * s.KvWidth, y, D);
                    }
                    new Span<float>(att + visible, T - visible).Clear();
                }
        }

        // The 256/128-bit paths, four queries at a time: their scores in one pass down the key tile (RowsTimesTile4, up
        // to the last query's visible keys), a softmax per row, then y_i = Σ_j p_j v_j two rows at a time
        // (AccumulateRows2). The same sums in the same order as one row at a time.
        private readonly void ForwardRows4(AttentionShape s, int b, int h, float* kt, int tp, float* v, float* scores)
        {
            int T = s.T, D = s.D, chunk = 2 * Vector<float>.Count;
            for (int i0 = 0; i0 < T; i0 += 4)
            {
                int rows = Math.Min(4, T - i0);
                int last = VisibleKeys(Lengths, b, i0 + rows - 1, T);   // visible keys grow with i: the block's last row sees most
                float* q0 = Q + ((long)b * T + i0) * s.QWidth + h * D;
                if (rows == 4 && last > 0) RowsTimesTile4(q0, s.QWidth, kt, D, tp, (last + chunk - 1) / chunk * chunk, scores, tp, s.Scale);
                for (int r = 0; r < rows; r++)
                {
                    int i = i0 + r, visible = VisibleKeys(Lengths, b, i, T);
                    float* att = Att + (((long)b * s.Hq + h) * T + i) * T;
                    float* y = Y + ((long)b * T + i) * s.QWidth + h * D;
                    new Span<float>(y, D).Clear();
                    new Span<float>(att + visible, T - visible).Clear();
                    if (visible == 0) continue;
                    float* sc = scores + (long)r * tp;
                    if (rows < 4) RowTimesTile(q0 + (long)r * s.QWidth, kt, D, tp, (visible + 15) >> 4, sc, s.Scale);
                    // The maximum is the same whichever order it is found in; the normalisation is element by element.
                    float max = Vec.Max(new ReadOnlySpan<float>(sc, visible));
                    float inv = 1f / FastMath.ExpShiftedInPlace(sc, visible, max);
                    ScaleInto(sc, inv, att, visible);
                }
                long attRow = (((long)b * s.Hq + h) * T + i0) * T, yRow = ((long)b * T + i0) * s.QWidth + h * D;
                int r2 = 0;
                for (; r2 + 1 < rows; r2 += 2)
                    AccumulateRows2(Y + yRow + (long)r2 * s.QWidth, Att + attRow + (long)r2 * T, VisibleKeys(Lengths, b, i0 + r2, T),
                        Y + yRow + (long)(r2 + 1) * s.QWidth, Att + attRow + (long)(r2 + 1) * T, VisibleKeys(Lengths, b, i0 + r2 + 1, T), v, s.KvWidth, D);
                if (r2 < rows)
                    AccumulateRows(Y + yRow + (long)r2 * s.QWidth, Att + attRow + (long)r2 * T, v, s.KvWidth, VisibleKeys(Lengths, b, i0 + r2, T), D);
            }
        }
    }

    private struct BackwardBody : IParallelBody
    {
        public AttentionShape Shape;
        public float* Dq, Dk, Dv, Dy, Att, Q, K, V;
        public int* Lengths;

        public readonly void Invoke(int item)
        {
            var s = Shape;
            int b = item / s.Hkv, kvh = item % s.Hkv, T = s.T, D = s.D, tp = (T + 15) & ~15;
            long kvOffset = (long)b * T * s.KvWidth + kvh * s.D;
            float* k = K + kvOffset;
            // (D, Tp) values, one row of gradients, then dk and dv of the group's keys as (T, D) rows of their own: the
            // scattered dk_j/dv_j updates stay in this thread's cache instead of read-modify-writing rows whose
            // neighbouring heads another thread is updating; they are added to dk/dv once at the end.
            bool columns = !SimdPath.Is512 && D % Vector<float>.Count == 0;
            // The 256/128-bit paths keep every query's ds row of a head, (T, Tp), for the column pass below.
            float* vt = ThreadScratch.Get(D * tp + (columns ? T * tp : tp) + 2 * T * D);
            float* dsAll = vt + D * tp;
            float* dk = dsAll + (columns ? (long)T * tp : tp), dv = dk + (long)T * D;
            new Span<float>(dk, 2 * T * D).Clear();
            TransposeToTile(V + kvOffset, s.KvWidth, T, D, tp, vt);
            int keys = Lengths == null ? T : Math.Min(Lengths[b], T);   // keys some query sees
            for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
            {
                float* attHead = Att + ((long)b * s.Hq + h) * T * T;
                // The 256/128-bit paths: ds and dq four queries at a time, dk and dv in the column pass below. Otherwise
                // (the 512-bit path, head sizes that are not whole vectors) row by row, dk and dv included.
                if (columns) BackwardRows4(s, b, h, attHead, vt, tp, dsAll);
                for (int i = 0; i < T && !columns; i++)
                {
                    int visible = VisibleKeys(Lengths, b, i, T);
                    if (visible == 0) continue;
                    long row = ((long)b * T + i) * s.QWidth + h * D;
                    float* att = attHead + (long)i * T;
                    float* dy = Dy + row, q = Q + row, dq = Dq + row;
                    float* ds = dsAll;
                    // dp_j = dy_i · v_j ; ds_j = p_j (dp_j − Σ p·dp) / √D
                    RowTimesTile(dy, vt, D, tp, (visible + 15) >> 4, ds, 1f);
                    float dot = 0f;
                    for (int j = 0; j < visible; j++) dot += att[j] * ds[j];
                    for (int j = 0; j < visible; j++)
                    {
                        float p = att[j], g = p * (ds[j] - dot) * s.Scale;
                        Axpy(g, k + (long)j * s.KvWidth, dq, D);      // dq_i += ds_j k_j
                        Axpy(g, q, dk + (long)j * D, D);              // dk_j += ds_j q_i
                        Axpy(p, dy, dv + (long)j * D, D);             // dv_j += p_j dy_i
                    }
                }
                if (!columns) continue;
                // Column pass: dk_j += Σ_i ds_ij q_i and dv_j += Σ_i p_ij dy_i over the queries that see key j (i ≥ j),
                // in i order as the row-by-row updates added them, with dk_j and dv_j held in registers: the row-by-row
                // form loaded and stored both rows for every (i, j) and was bound by its stores.
                long qRow0 = (long)b * T * s.QWidth + h * D;
                for (int j = 0; j < keys; j++)
                    AccumulateColumn(dk + (long)j * D, dv + (long)j * D, dsAll + (long)j * tp + j, tp, attHead + (long)j * T + j, T,
                        Q + qRow0 + (long)j * s.QWidth, Dy + qRow0 + (long)j * s.QWidth, s.QWidth, T - j, D);
            }
            for (int j = 0; j < T; j++)
            {
                long kv = kvOffset + (long)j * s.KvWidth;
                Axpy(1f, dk + (long)j * D, Dk + kv, D);
                Axpy(1f, dv + (long)j * D, Dv + kv, D);
            }
        }

        // The 256/128-bit paths' row pass for one head, four queries at a time: dp = dy_i·vᵀ for the four in one pass down
        // the value tile (RowsTimesTile4), ds_ij = p_ij (dp_ij − Σ_j p·dp) / √D in place in dsAll's rows (kept for the
        // column pass), then dq_i += Σ_j ds_ij k_j two rows at a time. The same sums in the same order as row by row.
        private readonly void BackwardRows4(AttentionShape s, int b, int h, float* attHead, float* vt, int tp, float* dsAll)
        {
            int T = s.T, D = s.D, chunk = 2 * Vector<float>.Count;
            float* k = K + (long)b * T * s.KvWidth + (h / s.Group) * D;
            for (int i0 = 0; i0 < T; i0 += 4)
            {
                int rows = Math.Min(4, T - i0);
                int last = VisibleKeys(Lengths, b, i0 + rows - 1, T);
                long row0 = ((long)b * T + i0) * s.QWidth + h * D;
                if (last == 0) continue;   // visible keys grow with i: no row of this block sees any
                if (rows == 4) RowsTimesTile4(Dy + row0, s.QWidth, vt, D, tp, (last + chunk - 1) / chunk * chunk, dsAll + (long)i0 * tp, tp, 1f);
                for (int r = 0; r < rows; r++)
                {
                    int visible = VisibleKeys(Lengths, b, i0 + r, T);
                    if (visible == 0) continue;
                    float* att = attHead + (long)(i0 + r) * T, ds = dsAll + (long)(i0 + r) * tp;
                    if (rows < 4) RowTimesTile(Dy + row0 + (long)r * s.QWidth, vt, D, tp, (visible + 15) >> 4, ds, 1f);
                    float dot = 0f;
                    for (int j = 0; j < visible; j++) dot += att[j] * ds[j];   // in j order, as on the 512-bit path
                    SoftmaxBackwardInPlace(att, ds, dot, s.Scale, visible);
                }
                int r2 = 0;
                for (; r2 + 1 < rows; r2 += 2)
                    AccumulateRows2(Dq + row0 + (long)r2 * s.QWidth, dsAll + (long)(i0 + r2) * tp, VisibleKeys(Lengths, b, i0 + r2, T),
                        Dq + row0 + (long)(r2 + 1) * s.QWidth, dsAll + (long)(i0 + r2 + 1) * tp, VisibleKeys(Lengths, b, i0 + r2 + 1, T), k, s.KvWidth, D);
                if (r2 < rows)
                    AccumulateRows(Dq + row0 + (long)r2 * s.QWidth, dsAll + (long)(i0 + r2) * tp, k, s.KvWidth, VisibleKeys(Lengths, b, i0 + r2, T), D);
            }
        }
    }
}
