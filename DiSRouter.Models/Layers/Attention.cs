using System.Numerics.Tensors;
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
    // the scores of one query against 16 keys are D broadcast-FMAs; only the causal, unpadded prefix of each row is
    // computed; the softmax runs in place on whole 16-wide blocks with the tail lanes masked; weighted sums of rows
    // keep their accumulators in registers (a read-modify-write of a misaligned output row per key would stall on
    // store forwarding).

    // out[j] = scale · Σ_k x[k] · tile[k, j] for j < 16·blocks
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTimesTile(float* x, float* tile, int d, int tp, int blocks, float* output, float scale)
    {
        for (int blk = 0; blk < blocks; blk++)
        {
            var acc = Vector512<float>.Zero;
            float* col = tile + blk * 16;
            for (int k = 0; k < d; k++) acc += Vector512.Create(x[k]) * Vector512.Load(col + (long)k * tp);
            Vector512.Store(acc * scale, output + blk * 16);
        }
    }

    // x[0..16·blocks) ← softmax over x[0..visible), zero beyond; x holds whole blocks
    private static void MaskedSoftmaxInPlace(float* x, int visible, int blocks)
    {
        float max = TensorPrimitives.Max(new ReadOnlySpan<float>(x, visible));
        var vmax = Vector512.Create(max);
        var lanes = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var limit = Vector512.Create((float)visible);
        var sum = Vector512<float>.Zero;
        for (int blk = 0; blk < blocks; blk++)
        {
            var inside = Vector512.LessThan(lanes + Vector512.Create(16f * blk), limit);
            var e = Vector512.ConditionalSelect(inside, FastMath.Exp(Vector512.Load(x + blk * 16) - vmax), Vector512<float>.Zero);
            Vector512.Store(e, x + blk * 16);
            sum += e;
        }
        var inv = Vector512.Create(1f / Vector512.Sum(sum));
        for (int blk = 0; blk < blocks; blk++) Vector512.Store(Vector512.Load(x + blk * 16) * inv, x + blk * 16);
    }

    // output (d) (+)= Σ_{j < count} w[j·ws] · rows[j·ld ..+d]
    private static void WeightedRowSum(float* w, long ws, int count, float* rows, long ld, int d, float* output, bool accumulate)
    {
        int c = 0;
        for (; c + 32 <= d; c += 32)
        {
            Vector512<float> a0 = default, a1 = default;
            float* r = rows + c;
            for (int j = 0; j < count; j++, r += ld)
            {
                var wj = Vector512.Create(w[j * ws]);
                a0 += wj * Vector512.Load(r);
                a1 += wj * Vector512.Load(r + 16);
            }
            if (accumulate) { a0 += Vector512.Load(output + c); a1 += Vector512.Load(output + c + 16); }
            Vector512.Store(a0, output + c);
            Vector512.Store(a1, output + c + 16);
        }
        for (; c + 16 <= d; c += 16)
        {
            Vector512<float> a0 = default;
            float* r = rows + c;
            for (int j = 0; j < count; j++, r += ld) a0 += Vector512.Create(w[j * ws]) * Vector512.Load(r);
            if (accumulate) a0 += Vector512.Load(output + c);
            Vector512.Store(a0, output + c);
        }
        for (; c < d; c++)
        {
            float a = 0f;
            for (int j = 0; j < count; j++) a += w[j * ws] * rows[j * ld + c];
            output[c] = accumulate ? output[c] + a : a;
        }
    }

    // tile (D, Tp) = rows (T, D)ᵀ with row stride ld, zero beyond T
    private static void TransposeToTile(float* rows, int ld, int t, int d, int tp, float* tile)
    {
        for (int k = 0; k < d; k++)
        {
            float* dst = tile + (long)k * tp;
            for (int j = 0; j < t; j++) dst[j] = rows[(long)j * ld + k];
            for (int j = t; j < tp; j++) dst[j] = 0f;
        }
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
            float* kt = ThreadScratch.Get(D * tp + tp);   // (D, Tp) keys, then one row of scores
            float* scores = kt + D * tp;
            TransposeToTile(K + kvOffset, s.KvWidth, T, D, tp, kt);
            float* v = V + kvOffset;
            for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
                for (int i = 0; i < T; i++)
                {
                    int visible = VisibleKeys(Lengths, b, i, T);
                    float* att = Att + (((long)b * s.Hq + h) * T + i) * T;
                    float* y = Y + ((long)b * T + i) * s.QWidth + h * D;
                    if (visible == 0)
                    {
                        new Span<float>(att, T).Clear();
                        new Span<float>(y, D).Clear();
                        continue;
                    }
                    // p = softmax(q_i · kᵀ / √D) over the visible keys; y_i = Σ_j p_j v_j
                    int blocks = (visible + 15) >> 4;
                    RowTimesTile(Q + ((long)b * T + i) * s.QWidth + h * D, kt, D, tp, blocks, scores, s.Scale);
                    MaskedSoftmaxInPlace(scores, visible, blocks);
                    new ReadOnlySpan<float>(scores, visible).CopyTo(new Span<float>(att, visible));
                    new Span<float>(att + visible, T - visible).Clear();
                    WeightedRowSum(scores, 1, visible, v, s.KvWidth, D, y, accumulate: false);
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
            float* k = K + kvOffset, dk = Dk + kvOffset, dv = Dv + kvOffset;
            float* vt = ThreadScratch.Get(D * tp + T * tp);   // (D, Tp) values, then ds (T, Tp) of one head
            float* ds = vt + D * tp;
            TransposeToTile(V + kvOffset, s.KvWidth, T, D, tp, vt);
            for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
            {
                long head = (long)b * T * s.QWidth + h * D;
                float* att = Att + ((long)b * s.Hq + h) * T * T;
                // Rows: ds_i = p_i ⊙ (dp_i − p_i·dp_i) / √D with dp_ij = dy_i · v_j ; dq_i += Σ_j ds_ij k_j
                for (int i = 0; i < T; i++)
                {
                    int visible = VisibleKeys(Lengths, b, i, T);
                    float* dsRow = ds + (long)i * tp;
                    if (visible == 0) { new Span<float>(dsRow, T).Clear(); continue; }
                    float* p = att + (long)i * T;
                    RowTimesTile(Dy + head + (long)i * s.QWidth, vt, D, tp, (visible + 15) >> 4, dsRow, 1f);
                    var dsSpan = new Span<float>(dsRow, visible);
                    var pSpan = new ReadOnlySpan<float>(p, visible);
                    float dot = TensorPrimitives.Dot(pSpan, dsSpan);
                    TensorPrimitives.Subtract(dsSpan, dot, dsSpan);
                    TensorPrimitives.Multiply(dsSpan, pSpan, dsSpan);
                    TensorPrimitives.Multiply(dsSpan, s.Scale, dsSpan);
                    new Span<float>(dsRow + visible, T - visible).Clear();
                    WeightedRowSum(dsRow, 1, visible, k, s.KvWidth, D, Dq + head + (long)i * s.QWidth, accumulate: true);
                }
                // Columns: dk_j += Σ_{i ≥ j} ds_ij q_i ; dv_j += Σ_{i ≥ j} p_ij dy_i  (masked entries are 0)
                for (int j = 0; j < T; j++)
                {
                    long row = (long)j * s.KvWidth, first = head + (long)j * s.QWidth;
                    WeightedRowSum(ds + (long)j * tp + j, tp, T - j, Q + first, s.QWidth, D, dk + row, accumulate: true);
                    WeightedRowSum(att + (long)j * T + j, T, T - j, Dy + first, s.QWidth, D, dv + row, accumulate: true);
                }
            }
        }
    }
}
