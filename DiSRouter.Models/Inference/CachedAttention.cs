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
/// Work items are (b, query head); each runs on one thread with its temporaries in thread scratch.
/// </summary>
internal static unsafe class CachedAttention
{
    private const int BlockMinTokens = 4; // below this, transposing K costs more than it saves

    // att (B·T, Hq·D) ← softmax(q·Kᵀ/√D)·V with q (B·T, Hq·D) and K, V from the cache (rows, Hkv, MaxT, D)
    public static void Forward(float* att, float* q, float* kCache, float* vCache, int* rows, int batch, int time, int pos0,
        int heads, int kvHeads, int headDim, int maxT)
    {
        var body = new Body
        {
            Att = att, Q = q, K = kCache, V = vCache, Rows = rows, T = time, Pos0 = pos0, Hq = heads, Hkv = kvHeads, D = headDim, MaxT = maxT,
            Scale = 1f / MathF.Sqrt(headDim),
        };
        int items = batch * heads;
        // Below ~64K multiply-adds a hand-off to the other thread costs more than it saves (a decode step of one row).
        long work = (long)items * time * (pos0 + time) * headDim;
        if (work < 1 << 16)
            for (int i = 0; i < items; i++) body.Invoke(i);
        else
            EngineThreads.ParallelFor(items, body);
    }

    private struct Body : IParallelBody
    {
        public float* Att, Q, K, V;
        public int* Rows;
        public int T, Pos0, Hq, Hkv, D, MaxT;
        public float Scale;

        public readonly void Invoke(int item)
        {
            int b = item / Hq, h = item % Hq, g = h / (Hq / Hkv);
            long cacheBase = ((long)Rows[b] * Hkv + g) * MaxT * D;
            float* k0 = K + cacheBase, v0 = V + cacheBase;
            if (T >= BlockMinTokens && Vector512.IsHardwareAccelerated) { Block(b, h, k0, v0); return; }
            float* scores = ThreadScratch.Get(Pos0 + T);
            int width = Hq * D;
            for (int t = 0; t < T; t++)
            {
                int s = Pos0 + t + 1;
                long n = (long)b * T + t;
                float* q = Q + n * width + h * D;
                for (int j = 0; j < s; j++) scores[j] = Dot(q, k0 + (long)j * D, D) * Scale;
                Softmax.InPlace(new Span<float>(scores, s));
                WeightedSum(Att + n * width + h * D, scores, v0, s, D, 1f);
            }
        }

        // Many queries of one head at once: K is transposed once into a (D, S) tile so that each query's scores
        // come out 16 keys per vector with no horizontal sums, and the softmax runs on whole vectors (the lanes
        // past the causal limit are masked to −∞); the tile stays in L1 for all T queries.
        private readonly void Block(int b, int h, float* k0, float* v0)
        {
            int s = Pos0 + T, padded = (s + 15) & ~15, width = Hq * D;
            float* kt = ThreadScratch.Get(D * padded + padded);                                  // (D, S padded), then scores
            float* scores = kt + (long)D * padded;
            for (int j = 0; j < s; j++)
                for (int d = 0; d < D; d++) kt[(long)d * padded + j] = k0[(long)j * D + d];
            for (int d = 0; d < D; d++) new Span<float>(kt + (long)d * padded + s, padded - s).Clear();
            var scale = Vector512.Create(Scale);
            var lane = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var minusInf = Vector512.Create(float.NegativeInfinity);
            for (int t = 0; t < T; t++)
            {
                int visible = Pos0 + t + 1, chunks = (visible + 15) >> 4;
                long n = (long)b * T + t;
                float* q = Q + n * width + h * D;
                var max = minusInf;
                for (int c = 0; c < chunks; c++)
                {
                    var acc = Vector512<float>.Zero;
                    float* col = kt + c * 16;
                    for (int d = 0; d < D; d++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(q[d]), Vector512.Load(col + (long)d * padded), acc);
                    acc *= scale;
                    var valid = Vector512.LessThan(lane + Vector512.Create((float)(c * 16)), Vector512.Create((float)visible));
                    acc = Vector512.ConditionalSelect(valid, acc, minusInf);                          // causal mask
                    max = Vector512.Max(max, acc);
                    acc.Store(scores + c * 16);
                }
                var m = Vector512.Create(HorizontalMax(max));
                var sum = Vector512<float>.Zero;
                for (int c = 0; c < chunks; c++)
                {
                    var e = Vector512.Exp(Vector512.Load(scores + c * 16) - m);                       // exp(−∞) = 0 on masked lanes
                    sum += e;
                    e.Store(scores + c * 16);
                }
                WeightedSum(Att + n * width + h * D, scores, v0, visible, D, 1f / Vector512.Sum(sum));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector512<float> v)
    {
        var m = Vector256.Max(v.GetLower(), v.GetUpper());
        var m128 = Vector128.Max(m.GetLower(), m.GetUpper());
        float r = m128[0];
        for (int i = 1; i < 4; i++) r = MathF.Max(r, m128[i]);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int d)
    {
        if (Vector512.IsHardwareAccelerated && (d & 15) == 0)
        {
            var acc = Vector512.Load(a) * Vector512.Load(b);
            for (int i = 16; i < d; i += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            return Vector512.Sum(acc);
        }
        return TensorPrimitives.Dot(new ReadOnlySpan<float>(a, d), new ReadOnlySpan<float>(b, d));
    }

    // out (D) = scale·Σ_j p[j]·v[j] over v (s, D)
    private static void WeightedSum(float* output, float* p, float* v, int s, int d, float scale)
    {
        if (Vector512.IsHardwareAccelerated && (d & 15) == 0)
        {
            for (int c = 0; c < d; c += 16)
            {
                var acc0 = Vector512<float>.Zero;
                var acc1 = Vector512<float>.Zero;
                float* col = v + c;
                int j = 0;
                for (; j + 1 < s; j += 2)
                {
                    acc0 = Vector512.FusedMultiplyAdd(Vector512.Create(p[j]), Vector512.Load(col + (long)j * d), acc0);
                    acc1 = Vector512.FusedMultiplyAdd(Vector512.Create(p[j + 1]), Vector512.Load(col + (long)(j + 1) * d), acc1);
                }
                if (j < s) acc0 = Vector512.FusedMultiplyAdd(Vector512.Create(p[j]), Vector512.Load(col + (long)j * d), acc0);
                ((acc0 + acc1) * scale).Store(output + c);
            }
            return;
        }
        var o = new Span<float>(output, d);
        o.Clear();
        for (int j = 0; j < s; j++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v + (long)j * d, d), p[j], o, o);
        if (scale != 1f) TensorPrimitives.Multiply(o, scale, o);
    }
}
