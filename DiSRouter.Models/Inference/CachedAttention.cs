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
            if (T >= BlockMinTokens && Vector512.IsHardwareAccelerated) { Block(b, h, k0, v0); return; }
            float* scores = ThreadScratch.Get(Pos0 + T);
            for (int t = 0; t < T; t++)
            {
                int s = Pos0 + t + 1;
                long n = (long)b * T + t;
                float* q = Qkv + n * QkvWidth + h * D;
                for (int j = 0; j < s; j++) scores[j] = Dot(q, k0 + (long)j * D, D) * Scale;
                Softmax.InPlace(new Span<float>(scores, s));
                WeightedSum(Att + n * Hq * D + h * D, scores, v0, s, D);
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
            for (int t = 0; t < T; t++)
            {
                int visible = Pos0 + t + 1;
                long n = (long)b * T + t;
                float* q = Qkv + n * QkvWidth + h * D;
                for (int c = 0; c < visible; c += 16)
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

    // out (D) = Σ_j p[j]·v[j] (s, D)
    private static void WeightedSum(float* output, float* p, float* v, int s, int d)
    {
        if (Vector512.IsHardwareAccelerated && (d & 15) == 0)
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
        var o = new Span<float>(output, d);
        o.Clear();
        for (int j = 0; j < s; j++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v + (long)j * d, d), p[j], o, o);
    }
}
