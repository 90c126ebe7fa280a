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

        var x = ws.X.AsSpan(0, n * C);
        var xn = ws.Xn.AsSpan(0, n * C);
        var qkv = ws.Qkv.AsSpan(0, n * dqkv);
        var att = ws.Att.AsSpan(0, n * dq);
        var gateUp = ws.GateUp.AsSpan(0, n * 2 * I);
        var hidden = ws.Hidden.AsSpan(0, n * I);

        Embedding.Forward(x, tokens, w.Embedding, C);                                             // (N, C)
        fixed (int* prows = rows)
        fixed (float* pqkv = ws.Qkv, patt = ws.Att, pgu = ws.GateUp, px = ws.X, phid = ws.Hidden)
        {
            for (int l = 0; l < w.Layers.Length; l++)
            {
                var L = w.Layers[l];
                // ---- attention block: x += o_proj(attention(rope(qkv(norm(x)))))
                RmsNorm.Forward(xn, default, x, L.InputNorm, n, C, eps);                          // (N, C)
                Linear.Forward(qkv, xn, L.Qkv, L.QkvBias, n);                                      // (N, Hq·D + 2·Hkv·D)
                fixed (float* pk = ws.K[l], pv = ws.V[l])
                {
                    var rope = new RopeAndCacheBody
                    {
                        Qkv = pqkv, K = pk, V = pv, Rows = prows, T = time, Pos0 = pos0, Hq = hq, Hkv = hkv, D = D, MaxT = ws.MaxT,
                        Rope = w.Rope, Chunks = new RowChunks(n, dqkv),
                    };
                    EngineThreads.ParallelFor(rope.Chunks.Count, rope);                           // q, k rotated; k, v → cache
                    if (l == w.Layers.Length - 1 && !allLogits && time > 1)
                    {
                        // Every token's key and value are cached now, and past this point a token's row feeds nothing
                        // but its own logits: only the last token of each row goes on (B rows at T = 1).
                        KeepLastTokens(pqkv, dqkv, px, C, batch, time);
                        n = batch;
                        pos0 += time - 1;
                        time = 1;
                    }
                    CachedAttention.Forward(patt, pqkv, pk, pv, prows, batch, time, pos0, hq, hkv, D, ws.MaxT); // (N, Hq·D)
                }
                Gemm.Sgemm(n, 1f, att, dq, L.O, 1f, x, C);                                        // x += att·Oᵀ

                // ---- MLP block: x += down(silu(gate(norm(x))) ⊙ up(norm(x)))
                RmsNorm.Forward(xn, default, x, L.PostNorm, n, C, eps);                           // (N, C)
                Gemm.Sgemm(n, 1f, xn, C, L.GateUp, 0f, gateUp, 2 * I);                            // (N, 2I)
                var swiglu = new SwiGluRowsBody { GateUp = pgu, Hidden = phid, I = I, Chunks = new RowChunks(n, 2 * I) };
                EngineThreads.ParallelFor(swiglu.Chunks.Count, swiglu);                           // (N, I)
                Gemm.Sgemm(n, 1f, hidden, I, L.Down, 1f, x, C);                                   // x += hidden·Downᵀ
            }
        }

        // ---- head: logits = norm(x)·LmHeadᵀ, for every token or only the last of each row
        int outRows = allLogits ? n : batch;
        if (allLogits)
            RmsNorm.Forward(xn, default, x, w.FinalNorm, n, C, eps);                              // (N, C)
        else
            for (int b = 0; b < batch; b++)
                RmsNorm.Forward(xn.Slice(b * C, C), default, x.Slice(((b + 1) * time - 1) * C, C), w.FinalNorm, 1, C, eps); // (B, C)
        Gemm.Sgemm(outRows, 1f, xn[..(outRows * C)], C, w.LmHead, 0f, ws.Logits.AsSpan(0, outRows * V), V); // (rows, V)
    }

    // Moves the fused qkv row and the residual row of each row's last token to row b, so that the rest of the last
    // layer runs on B rows. Row b's last token is row (b + 1)·T − 1 ≥ b, and no later source is overwritten.
    private static void KeepLastTokens(float* qkv, int qkvWidth, float* x, int channels, int batch, int time)
    {
        for (int b = 0; b < batch; b++)
        {
            long from = (long)(b + 1) * time - 1;
            new ReadOnlySpan<float>(qkv + from * qkvWidth, qkvWidth).CopyTo(new Span<float>(qkv + (long)b * qkvWidth, qkvWidth));
            new ReadOnlySpan<float>(x + from * channels, channels).CopyTo(new Span<float>(x + (long)b * channels, channels));
        }
    }

    // Rotates q and k of each token row in place (heads of q and k are adjacent in the fused row, so one call
    // covers both) and copies k and v into the token's cache slot.
    private struct RopeAndCacheBody : IParallelBody
    {
        public float* Qkv, K, V;
        public int* Rows;
        public int T, Pos0, Hq, Hkv, D, MaxT;
        public RopeTable Rope;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            int dq = Hq * D, dkv = Hkv * D, width = dq + 2 * dkv;
            for (int n = start; n < end; n++)
            {
                int b = n / T, pos = Pos0 + n % T;
                var qk = new Span<float>(Qkv + (long)n * width, dq + dkv);
                Layers.Rope.Forward(qk, qk, 1, Hq + Hkv, 1, pos, Rope);
                float* k = Qkv + (long)n * width + dq, v = k + dkv;
                for (int g = 0; g < Hkv; g++)
                {
                    long slot = (((long)Rows[b] * Hkv + g) * MaxT + pos) * D;
                    new ReadOnlySpan<float>(k + g * D, D).CopyTo(new Span<float>(K + slot, D));
                    new ReadOnlySpan<float>(v + g * D, D).CopyTo(new Span<float>(V + slot, D));
                }
            }
        }
    }

    // hidden[n] = silu(gate[n]) ⊙ up[n], with gate and up the two halves of the fused row n.
    private struct SwiGluRowsBody : IParallelBody
    {
        public float* GateUp, Hidden;
        public int I;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            for (int n = start; n < end; n++)
            {
                float* gu = GateUp + (long)n * 2 * I;
                SwiGlu.Forward(new Span<float>(Hidden + (long)n * I, I), new ReadOnlySpan<float>(gu, I), new ReadOnlySpan<float>(gu + I, I));
            }
        }
    }
}
