using DiSRouter.Models.Kernels;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Inference;

/// <summary>
/// The autograd-free forward pass. Tokens (B, T) sit at positions pos0 … pos0+T−1 of the cache rows
/// <c>rows[b]</c>; their keys and values are appended to the cache, so the same code serves a batch forward
/// (pos0 = 0, a cache as long as the sequence), a prompt pass, and a one-token decode step of several samples.
/// N = B·T token rows, C = hidden, D = head dim, I = intermediate, V = vocabulary.
/// </summary>
internal static unsafe class Decoder
{
    /// <summary>
    /// Up to this many token rows (a decode step of a few samples) the q/k/v and gate/up products run as one fused
    /// product each: every product is then a memory-bound pass over its weights plus a hand-off to the other
    /// thread, so fewer, wider products win. Above it the products are compute-bound and write q, k, v, gate and
    /// up into separate contiguous blocks, which the layer kernels take whole.
    /// </summary>
    public const int FusedMaxRows = 8;

    /// <summary>
    /// Runs the model and leaves logits in <c>ws.Logits</c>: (N, V) when <paramref name="allLogits"/>, else (B, V)
    /// for the last token of each row (all a decoder needs to pick the next token).
    /// </summary>
    public static void Forward(InferenceWeights w, Workspace ws, ReadOnlySpan<int> tokens, int batch, int time, int pos0, ReadOnlySpan<int> rows, bool allLogits)
    {
        var c = w.Config;
        int n = batch * time, C = c.HiddenSize, D = c.HeadDim, hq = c.NumAttentionHeads, hkv = c.NumKeyValueHeads;
        int dq = hq * D, dkv = hkv * D, dqkv = dq + 2 * dkv, I = c.IntermediateSize, V = c.VocabSize;
        float eps = (float)c.RmsNormEps;
        if (tokens.Length != n || rows.Length != batch) throw new ArgumentException("tokens must be (B, T) and rows (B).");
        if (n > ws.Tokens || batch > ws.LogitRows && !allLogits || allLogits && n > ws.LogitRows || pos0 + time > ws.MaxT)
            throw new InvalidOperationException("The workspace is too small for this forward call.");
        foreach (int r in rows) if ((uint)r >= (uint)ws.CacheRows) throw new ArgumentOutOfRangeException(nameof(rows), $"Cache row {r} does not exist.");
        bool fused = n <= FusedMaxRows;

        var x = ws.X.AsSpan(0, n * C);
        var xn = ws.Xn.AsSpan(0, n * C);
        var q = ws.Qkv.AsSpan(0, n * dq);
        var k = ws.Qkv.AsSpan(n * dq, n * dkv);
        var v = ws.Qkv.AsSpan(n * (dq + dkv), n * dkv);
        var att = ws.Att.AsSpan(0, n * dq);
        var gate = ws.GateUp.AsSpan(0, n * I);
        var up = ws.GateUp.AsSpan(n * I, n * I);
        var hidden = ws.Hidden.AsSpan(0, n * I);

        Embedding.Forward(x, tokens, w.Embedding, C);                                             // (N, C)
        for (int l = 0; l < w.Layers.Length; l++)
        {
            var L = w.Layers[l];
            // ---- attention block: x += o_proj(attention(rope(q), rope(k), v)) on norm(x)
            RmsNorm.Forward(xn, default, x, L.InputNorm, n, C, eps);                              // (N, C)
            if (fused)
            {
                var qkv = ws.Fused.AsSpan(0, n * dqkv);
                Linear.Forward(qkv, xn, L.Qkv, L.QkvBias, n, C, dqkv);                            // (N, Dq + 2·Dkv)
                for (int i = 0; i < n; i++)
                {
                    qkv.Slice(i * dqkv, dq).CopyTo(q.Slice(i * dq, dq));
                    qkv.Slice(i * dqkv + dq, dkv).CopyTo(k.Slice(i * dkv, dkv));
                    qkv.Slice(i * dqkv + dq + dkv, dkv).CopyTo(v.Slice(i * dkv, dkv));
                }
            }
            else
            {
                var wq = L.Qkv.AsSpan(0, dq * C);
                var wk = L.Qkv.AsSpan(dq * C, dkv * C);
                var wv = L.Qkv.AsSpan((dq + dkv) * C, dkv * C);
                bool bias = L.QkvBias.Length > 0;
                Linear.Forward(q, xn, wq, bias ? L.QkvBias.AsSpan(0, dq) : default, n, C, dq);              // (N, Hq·D)
                Linear.Forward(k, xn, wk, bias ? L.QkvBias.AsSpan(dq, dkv) : default, n, C, dkv);           // (N, Hkv·D)
                Linear.Forward(v, xn, wv, bias ? L.QkvBias.AsSpan(dq + dkv, dkv) : default, n, C, dkv);     // (N, Hkv·D)
            }
            Rope.Forward(q, q, n, hq, time, pos0, w.Rope);                                        // row b·T + t at position pos0 + t
            Rope.Forward(k, k, n, hkv, time, pos0, w.Rope);
            fixed (float* pq = q, pk = k, pv = v, patt = att, kc = ws.K[l], vc = ws.V[l])
            fixed (int* prows = rows)
            {
                var store = new CacheStoreBody { K = pk, V = pv, KCache = kc, VCache = vc, Rows = prows, T = time, Pos0 = pos0, Hkv = hkv, D = D, MaxT = ws.MaxT, Chunks = new RowChunks(n, 2 * dkv) };
                EngineThreads.ParallelFor(store.Chunks.Count, store);                             // k, v → cache slots
                CachedAttention.Forward(patt, pq, kc, vc, prows, batch, time, pos0, hq, hkv, D, ws.MaxT); // (N, Hq·D)
            }
            Gemm.Sgemm(false, true, n, C, dq, 1f, att, dq, L.O, dq, 1f, x, C);                 // x += att·Oᵀ

            // ---- MLP block: x += down(silu(gate(norm(x))) ⊙ up(norm(x)))
            RmsNorm.Forward(xn, default, x, L.PostNorm, n, C, eps);                               // (N, C)
            if (fused)
            {
                var gu = ws.Fused.AsSpan(0, n * 2 * I);
                Gemm.Sgemm(false, true, n, 2 * I, C, 1f, xn, C, L.GateUp, C, 0f, gu, 2 * I);   // (N, 2I): gate | up per row
                for (int i = 0; i < n; i++)
                    SwiGlu.Forward(hidden.Slice(i * I, I), gu.Slice(i * 2 * I, I), gu.Slice(i * 2 * I + I, I));
            }
            else
            {
                Gemm.Sgemm(false, true, n, I, C, 1f, xn, C, L.GateUp.AsSpan(0, I * C), C, 0f, gate, I);     // (N, I)
                Gemm.Sgemm(false, true, n, I, C, 1f, xn, C, L.GateUp.AsSpan(I * C, I * C), C, 0f, up, I);   // (N, I)
                SwiGlu.Forward(hidden, gate, up);                                                 // (N, I)
            }
            Gemm.Sgemm(false, true, n, C, I, 1f, hidden, I, L.Down, I, 1f, x, C);              // x += hidden·Downᵀ
        }

        // ---- head: logits = norm(x)·LmHeadᵀ, for every token or only the last of each row
        int outRows = allLogits ? n : batch;
        if (allLogits)
            RmsNorm.Forward(xn, default, x, w.FinalNorm, n, C, eps);                              // (N, C)
        else
            for (int b = 0; b < batch; b++)
                RmsNorm.Forward(xn.Slice(b * C, C), default, x.Slice(((b + 1) * time - 1) * C, C), w.FinalNorm, 1, C, eps); // (B, C)
        Gemm.Sgemm(false, true, outRows, V, C, 1f, xn[..(outRows * C)], C, w.LmHead, C, 0f, ws.Logits.AsSpan(0, outRows * V), V); // (rows, V)
    }

    // Copies each token's k and v (heads side by side) into its slot of the cache (rows, Hkv, MaxT, D).
    private struct CacheStoreBody : IParallelBody
    {
        public float* K, V, KCache, VCache;
        public int* Rows;
        public int T, Pos0, Hkv, D, MaxT;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int dkv = Hkv * D;
            for (int n = start; n < end; n++)
            {
                int b = n / T, pos = Pos0 + n % T;
                for (int g = 0; g < Hkv; g++)
                {
                    long slot = (((long)Rows[b] * Hkv + g) * MaxT + pos) * D;
                    Buffer.MemoryCopy(K + (long)n * dkv + g * D, KCache + slot, D * 4L, D * 4L);
                    Buffer.MemoryCopy(V + (long)n * dkv + g * D, VCache + slot, D * 4L, D * 4L);
                }
            }
        }
    }
}
