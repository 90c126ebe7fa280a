namespace DiSRouter.Models.Inference;

/// <summary>
/// Keys and values of the last few prompts, so that a prompt which starts like a recent one (the same system prompt
/// and chat markers: an agent's every request opens with "&lt;|bos|&gt;&lt;|system|&gt;Cost weight 0.80.&lt;|user|&gt;")
/// prefills only from where they part. A token's key and value depend on it and the tokens before it alone, so any
/// prefix of a prompt once computed is valid for every prompt that shares it. Entries belong to one weight version.
/// L = layers, Hkv = key/value heads, P = the model's positions, D = head dim.
/// </summary>
internal sealed class PrefixCache(TransformerConfig config)
{
    private const int MaxEntries = 4;

    /// <summary>
    /// Tokens a prompt pass always runs itself, however much of the prompt is cached. WHY 16: at this length the pass
    /// still takes the same kernels as a whole prompt pass (packed GEMM above 8 rows, the GEMM attention from 16 queries),
    /// which compute every token row the same way whatever the rows around it, so a reused prefix gives the very logits
    /// a full prompt pass would.
    /// </summary>
    public const int MinComputed = 16;

    private readonly List<Entry> _entries = [];
    private long _clock;

    /// <summary>
    /// Copies the longest cached prefix of <paramref name="prompt"/> (leaving at least <see cref="MinComputed"/> tokens)
    /// into cache row 0 of <paramref name="ws"/> and returns its length; 0 when nothing is reused.
    /// </summary>
    public int Restore(ReadOnlySpan<int> prompt, int version, Workspace ws)
    {
        int limit = prompt.Length - MinComputed;
        if (limit <= 0) return 0;
        lock (_entries)
        {
            Entry? best = null;
            int reuse = 0;
            foreach (var e in _entries)
            {
                if (e.Version != version) continue;
                int common = Math.Min(prompt.CommonPrefixLength(e.Tokens.AsSpan(0, e.Length)), limit);
                if (common > reuse) (best, reuse) = (e, common);
            }
            if (best is null) return 0;
            best.LastUsed = ++_clock;
            Copy(best.K, best.V, config.MaxPositionEmbeddings, ws.K, ws.V, ws.MaxT, reuse);
            return reuse;
        }
    }

    /// <summary>Keeps the keys and values of <paramref name="prompt"/>, just written to cache row 0 of <paramref name="ws"/>, in place of the least recently used entry.</summary>
    public void Remember(ReadOnlySpan<int> prompt, int version, Workspace ws)
    {
        if (prompt.Length <= MinComputed) return; // too short ever to be reused
        lock (_entries)
        {
            _entries.RemoveAll(e => e.Version != version);
            foreach (var e in _entries)
                if (e.Length >= prompt.Length && prompt.SequenceEqual(e.Tokens.AsSpan(0, prompt.Length)))
                {
                    e.LastUsed = ++_clock;
                    return; // already held
                }
            Entry entry;
            if (_entries.Count < MaxEntries) _entries.Add(entry = new Entry(config));
            else entry = _entries.MinBy(e => e.LastUsed)!;
            prompt.CopyTo(entry.Tokens);
            entry.Length = prompt.Length;
            entry.Version = version;
            entry.LastUsed = ++_clock;
            Copy(ws.K, ws.V, ws.MaxT, entry.K, entry.V, config.MaxPositionEmbeddings, prompt.Length);
        }
    }

    // Positions [0, count) of cache row 0, for every layer and key/value head: (L) × (Hkv, maxT, D) → (L) × (Hkv, maxT', D).
    private void Copy(float[][] fromK, float[][] fromV, int fromMaxT, float[][] toK, float[][] toV, int toMaxT, int count)
    {
        int d = config.HeadDim;
        for (int l = 0; l < config.NumHiddenLayers; l++)
            for (int g = 0; g < config.NumKeyValueHeads; g++)
            {
                Array.Copy(fromK[l], (long)g * fromMaxT * d, toK[l], (long)g * toMaxT * d, (long)count * d);
                Array.Copy(fromV[l], (long)g * fromMaxT * d, toV[l], (long)g * toMaxT * d, (long)count * d);
            }
    }

    private sealed class Entry
    {
        public Entry(TransformerConfig c)
        {
            Tokens = new int[c.MaxPositionEmbeddings];
            long size = (long)c.NumKeyValueHeads * c.MaxPositionEmbeddings * c.HeadDim;   // (Hkv, P, D) per layer
            K = new float[c.NumHiddenLayers][];
            V = new float[c.NumHiddenLayers][];
            for (int l = 0; l < c.NumHiddenLayers; l++) { K[l] = new float[size]; V[l] = new float[size]; }
        }

        public int[] Tokens { get; }
        public float[][] K { get; }
        public float[][] V { get; }
        public int Length;
        public int Version;
        public long LastUsed;
    }
}
