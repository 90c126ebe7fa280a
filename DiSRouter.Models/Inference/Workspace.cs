namespace DiSRouter.Models.Inference;

/// <summary>
/// Everything one forward call writes: activations for up to <see cref="Tokens"/> token rows, logits for up to
/// <see cref="LogitRows"/> rows, and the KV cache (<see cref="CacheRows"/> sequences of up to <see cref="MaxT"/>
/// positions). Arrays are pinned so the kernels take pointers without fixing them on every call.
/// C = hidden, D = head dim, Hkv = key/value heads, I = intermediate, V = vocabulary, L = layers.
/// </summary>
internal sealed class Workspace
{
    public Workspace(TransformerConfig c, int tokens, int logitRows, int cacheRows, int maxT)
    {
        Tokens = tokens;
        LogitRows = logitRows;
        CacheRows = cacheRows;
        MaxT = maxT;
        int d = c.HeadDim, q = c.NumAttentionHeads * d, kv = c.NumKeyValueHeads * d;
        X = Pinned((long)tokens * c.HiddenSize);                 // (N, C) residual stream
        Xn = Pinned((long)tokens * c.HiddenSize);                // (N, C) normed
        Qkv = Pinned((long)tokens * (q + 2 * kv));               // (N, Hq·D + 2·Hkv·D)
        Att = Pinned((long)tokens * q);                          // (N, Hq·D)
        GateUp = Pinned((long)tokens * 2 * c.IntermediateSize);  // (N, 2I)
        Hidden = Pinned((long)tokens * c.IntermediateSize);      // (N, I)
        Logits = Pinned((long)logitRows * c.VocabSize);          // (rows, V)
        long cache = (long)cacheRows * kv * maxT;
        K = new float[c.NumHiddenLayers][];                      // L × (rows, Hkv, MaxT, D)
        V = new float[c.NumHiddenLayers][];
        for (int l = 0; l < c.NumHiddenLayers; l++) { K[l] = Pinned(cache); V[l] = Pinned(cache); }
    }

    public int Tokens { get; }
    public int LogitRows { get; }
    public int CacheRows { get; }
    public int MaxT { get; }

    public float[] X { get; }
    public float[] Xn { get; }
    public float[] Qkv { get; }
    public float[] Att { get; }
    public float[] GateUp { get; }
    public float[] Hidden { get; }
    public float[] Logits { get; }
    public float[][] K { get; }
    public float[][] V { get; }

    public long Bytes => 4L * (X.Length + Xn.Length + Qkv.Length + Att.Length + GateUp.Length + Hidden.Length + Logits.Length
        + K.Sum(k => (long)k.Length) + V.Sum(v => (long)v.Length));

    public bool Fits(int tokens, int logitRows, int cacheRows, int maxT) =>
        Tokens >= tokens && LogitRows >= logitRows && CacheRows >= cacheRows && MaxT >= maxT;

    private static float[] Pinned(long n) => GC.AllocateUninitializedArray<float>(checked((int)n), pinned: true);
}

/// <summary>
/// Reuses workspaces across calls so that generation allocates nothing per request in the steady state.
/// The lock covers only taking and returning a workspace, never a forward pass: concurrent callers each hold
/// their own workspace and run in parallel.
/// </summary>
internal sealed class WorkspacePool(TransformerConfig config)
{
    private const int MaxKept = 4;
    private readonly List<Workspace> _free = [];

    public Workspace Rent(int tokens, int logitRows, int cacheRows, int maxT)
    {
        lock (_free)
        {
            int best = -1;
            for (int i = 0; i < _free.Count; i++)
                if (_free[i].Fits(tokens, logitRows, cacheRows, maxT) && (best < 0 || _free[i].Bytes < _free[best].Bytes)) best = i;
            if (best >= 0)
            {
                var ws = _free[best];
                _free.RemoveAt(best);
                return ws;
            }
        }
        return new Workspace(config, tokens, logitRows, cacheRows, maxT);
    }

    public void Return(Workspace ws)
    {
        lock (_free)
        {
            _free.Add(ws);
            if (_free.Count > MaxKept) _free.Remove(_free.MinBy(w => w.Bytes)!); // keep the big ones: they fit every request
        }
    }
}
