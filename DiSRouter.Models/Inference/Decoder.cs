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
        fixed (float* pqkv = ws.Qkv, patt = ws.Att, pgu = ws.GateUp, px = ws.X, pxn = ws.Xn, phid = ws.Hidden, pcos = w.Rope.Cos, psin = w.Rope.Sin)
        {
            for (int l = 0; l < w.Layers.Length; l++)
            {
                var L = w.Layers[l];
                // ---- attention block: x += o_proj(attention(rope(qkv(norm(x)))))
                Norm(pxn, px, L.InputNorm, n, C, eps);                                            // (N, C)
                Linear.Forward(qkv, xn, L.Qkv, L.QkvBias, n);                                      // (N, Hq·D + 2·Hkv·D)
                fixed (float* pk = ws.K[l], pv = ws.V[l])
                {
                    var rope = new RopeAndCacheBody
                    {
                        Qkv = pqkv, K = pk, V = pv, Rows = prows, T = time, Pos0 = pos0, Hq = hq, Hkv = hkv, D = D, MaxT = ws.MaxT,
                        Cos = pcos, Sin = psin, Chunks = new RowChunks(n, dqkv),
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
                Norm(pxn, px, L.PostNorm, n, C, eps);                                             // (N, C)
                Gemm.Sgemm(n, 1f, xn, C, L.GateUp, 0f, gateUp, 2 * I);                            // (N, 2I)
                var swiglu = new SwiGluRowsBody { GateUp = pgu, Hidden = phid, I = I, Chunks = new RowChunks(n, 2 * I) };
                EngineThreads.ParallelFor(swiglu.Chunks.Count, swiglu);                           // (N, I)
                Gemm.Sgemm(n, 1f, hidden, I, L.Down, 1f, x, C);                                   // x += hidden·Downᵀ
            }
        }

        // ---- head: logits = norm(x)·LmHeadᵀ, for every token or only the last of each row
        int outRows = allLogits ? n : batch;
        fixed (float* px = ws.X, pxn = ws.Xn)
        {
            if (allLogits)
                Norm(pxn, px, w.FinalNorm, n, C, eps);                                            // (N, C)
            else
                for (int b = 0; b < batch; b++)
                    Norm(pxn + (long)b * C, px + ((long)(b + 1) * time - 1) * C, w.FinalNorm, 1, C, eps); // (B, C)
        }
        Gemm.Sgemm(outRows, 1f, xn[..(outRows * C)], C, w.LmHead, 0f, ws.Logits.AsSpan(0, outRows * V), V); // (rows, V)
    }

    // out (N, C) = rmsnorm(x (N, C)) ⊙ w, rows spread over the engine's threads when there are enough of them.
    private static void Norm(float* output, float* x, float[] weight, int rows, int channels, float eps)
    {
        fixed (float* pw = weight)
        {
            var body = new NormRowsBody { Out = output, X = x, W = pw, C = channels, Eps = eps, Chunks = new RowChunks(rows, channels) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
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
        public float* Cos, Sin;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            RowKernels.RotateAndCache(Qkv, K, V, Rows, start, end, T, Pos0, Hq, Hkv, D, MaxT, Cos, Sin);
        }
    }

    private struct NormRowsBody : IParallelBody
    {
        public float* Out, X, W;
        public int C;
        public float Eps;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            RowKernels.RmsNorm(Out, X, W, start, end, C, Eps);
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
            RowKernels.SwiGlu(Hidden, GateUp, start, end, I);
        }
    }
}
