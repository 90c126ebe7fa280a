using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Causal scaled dot-product attention with grouped-query heads and a key-padding mask.
/// B = batch, T = sequence, Hq = query heads, Hkv = key/value heads (query head h reads kv head h / (Hq/Hkv)),
/// D = head dim. Row b·T + t of q/k/v holds token t of sequence b, heads side by side. lengths[b] is the number
/// of real tokens of a right-padded sequence: keys at t ≥ lengths[b] are masked; an empty span means all T are real.
/// Work is split per (b, head); each item runs its two small products and the softmax in place on one thread.
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
            EngineThreads.ParallelFor(batch * heads, body);
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
    private static int VisibleKeys(int* lengths, int b, int t, int seqLen) => Math.Min(t + 1, lengths == null ? seqLen : lengths[b]);

    // ---------------------------------------------------------------------------------------------

    private struct ForwardBody : IParallelBody
    {
        public AttentionShape Shape;
        public float* Y, Att, Q, K, V;
        public int* Lengths;

        public readonly void Invoke(int item)
        {
            var s = Shape;
            int b = item / s.Hq, h = item % s.Hq, kvh = h / s.Group, T = s.T;
            float* q = Q + (long)b * T * s.QWidth + h * s.D;
            float* k = K + (long)b * T * s.KvWidth + kvh * s.D;
            float* v = V + (long)b * T * s.KvWidth + kvh * s.D;
            float* y = Y + (long)b * T * s.QWidth + h * s.D;
            float* a = Att + (long)item * T * T;

            // scores (T, T) = q (T, D) · kᵀ (D, T) / √D, then a masked softmax per row
            Gemm.Sgemm(false, true, T, T, s.D, s.Scale, q, s.QWidth, k, s.KvWidth, 0f, a, T);
            for (int t = 0; t < T; t++)
            {
                int visible = VisibleKeys(Lengths, b, t, T);
                var row = new Span<float>(a + (long)t * T, T);
                Softmax.InPlace(row[..visible]);
                row[visible..].Clear();
            }
            // y (T, D) = att (T, T) · v (T, D)
            Gemm.Sgemm(false, false, T, s.D, T, 1f, a, T, v, s.KvWidth, 0f, y, s.QWidth);
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
            int b = item / s.Hkv, kvh = item % s.Hkv, T = s.T;
            long kvOffset = (long)b * T * s.KvWidth + kvh * s.D;
            float* k = K + kvOffset, v = V + kvOffset, dk = Dk + kvOffset, dv = Dv + kvOffset;
            float* ds = ThreadScratch.Get(T * T);
            for (int h = kvh * s.Group; h < (kvh + 1) * s.Group; h++)
            {
                long qOffset = (long)b * T * s.QWidth + h * s.D;
                float* q = Q + qOffset, dq = Dq + qOffset, dy = Dy + qOffset;
                float* a = Att + ((long)b * s.Hq + h) * T * T;

                // dv (T, D) += attᵀ (T, T) · dy (T, D)
                Gemm.Sgemm(true, false, T, s.D, T, 1f, a, T, dy, s.QWidth, 1f, dv, s.KvWidth);
                // datt (T, T) = dy (T, D) · vᵀ (D, T), then through the softmax: ds = att ⊙ (datt − Σ att·datt)
                Gemm.Sgemm(false, true, T, T, s.D, 1f, dy, s.QWidth, v, s.KvWidth, 0f, ds, T);
                for (int t = 0; t < T; t++)
                {
                    int visible = VisibleKeys(Lengths, b, t, T);
                    var row = new Span<float>(ds + (long)t * T, T);
                    Softmax.BackwardInPlace(row[..visible], new ReadOnlySpan<float>(a + (long)t * T, visible));
                    row[visible..].Clear();
                }
                // dq (T, D) += ds (T, T) · k (T, D) / √D ;  dk (T, D) += dsᵀ (T, T) · q (T, D) / √D
                Gemm.Sgemm(false, false, T, s.D, T, s.Scale, ds, T, k, s.KvWidth, 1f, dq, s.QWidth);
                Gemm.Sgemm(true, false, T, s.D, T, s.Scale, ds, T, q, s.QWidth, 1f, dk, s.KvWidth);
            }
        }
    }
}
