namespace DiSRouter.Models.Training;

/// <summary>
/// Sequences of unequal length laid out as one right-padded (B, T) batch for next-token prediction, with
/// T = longest sequence − 1. Row b·T + t holds input token t and, as its target, token t + 1 of sequence b.
/// Padding rows get input 0, target −1 (no loss, no gradient) and weight 0; Lengths[b] (real input positions)
/// masks the padded keys in attention. Buffers grow to the largest batch and are reused.
/// </summary>
internal sealed class PaddedBatch
{
    private int[] _inputs = [];
    private int[] _targets = [];
    private float[] _weights = [];
    private int[] _lengths = [];

    public int Batch { get; private set; }
    public int SeqLen { get; private set; }
    public int Rows => Batch * SeqLen;

    public ReadOnlyMemory<int> Inputs => _inputs.AsMemory(0, Rows);      // (B·T)
    public ReadOnlyMemory<int> Targets => _targets.AsMemory(0, Rows);    // (B·T), −1 on padding
    public ReadOnlyMemory<float> Weights => _weights.AsMemory(0, Rows);  // (B·T), loss weight of each target
    public ReadOnlyMemory<int> Lengths => _lengths.AsMemory(0, Batch);   // (B), real input positions

    /// <summary>Σ of the weights: the number of (weighted) target tokens.</summary>
    public double TotalWeight { get; private set; }

    /// <summary>Lays out sequences[start..start+count); lossMasks (same indices) may be null or hold nulls (= every target counts).</summary>
    public void Build(IReadOnlyList<int[]> sequences, IReadOnlyList<float[]?>? lossMasks, int start, int count, TransformerConfig config)
    {
        int seqLen = 0;
        for (int i = start; i < start + count; i++)
        {
            Validate(sequences[i], lossMasks?[i], i, config);
            seqLen = Math.Max(seqLen, sequences[i].Length - 1);
        }
        Batch = count;
        SeqLen = seqLen;
        int rows = checked(count * seqLen);
        if (_inputs.Length < rows) { _inputs = new int[rows]; _targets = new int[rows]; _weights = new float[rows]; }
        if (_lengths.Length < count) _lengths = new int[count];

        double total = 0;
        for (int b = 0; b < count; b++)
        {
            int[] tokens = sequences[start + b];
            float[]? mask = lossMasks?[start + b];
            int real = tokens.Length - 1;
            _lengths[b] = real;
            for (int t = 0; t < seqLen; t++)
            {
                int row = b * seqLen + t;
                if (t < real)
                {
                    _inputs[row] = tokens[t];
                    _targets[row] = tokens[t + 1];
                    float w = mask is null ? 1f : mask[t + 1];  // the mask weights the prediction OF tokens[t + 1]
                    _weights[row] = w;
                    total += w;
                }
                else
                {
                    _inputs[row] = 0;
                    _targets[row] = -1;
                    _weights[row] = 0f;
                }
            }
        }
        TotalWeight = total;
    }

    public static void Validate(int[] tokens, float[]? lossMask, int index, TransformerConfig config)
    {
        if (tokens is null) throw new ArgumentNullException(nameof(tokens), $"Sequence {index} is null.");
        if (tokens.Length < 2) throw new ArgumentException($"Sequence {index} has {tokens.Length} token(s); next-token training needs at least 2.");
        if (tokens.Length - 1 > config.MaxPositionEmbeddings)
            throw new ArgumentException($"Sequence {index} has {tokens.Length} tokens; the model sees at most {config.MaxPositionEmbeddings} positions (max_position_embeddings) plus the last target.");
        foreach (int t in tokens)
            if ((uint)t >= (uint)config.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"Sequence {index} holds token id {t}, outside the vocabulary [0, {config.VocabSize}).");
        if (lossMask is not null)
        {
            if (lossMask.Length != tokens.Length) throw new ArgumentException($"Loss mask {index} has {lossMask.Length} entries for {tokens.Length} tokens.");
            foreach (float w in lossMask)
                if (!float.IsFinite(w) || w < 0) throw new ArgumentException($"Loss mask {index} holds {w}; weights must be finite and ≥ 0.");
        }
    }
}
