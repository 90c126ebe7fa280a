namespace DiSRouter.Models.Inference;

/// <summary>Batch inference without gradients: logits for every position of B sequences of T tokens (causal, positions 0 … T−1).</summary>
public static class ForwardPass
{
    /// <summary>Logits (B, T, V) of tokens (B, T), row-major. Right-padded batches are fine: a position never sees later ones.</summary>
    public static float[] Logits(TransformerModel model, ReadOnlySpan<int> tokens, int batch, int time)
    {
        var logits = GC.AllocateUninitializedArray<float>(checked(batch * time * model.Config.VocabSize));
        Logits(model, tokens, batch, time, logits);
        return logits;
    }

    /// <summary>Writes logits (B, T, V) into <paramref name="logits"/>; safe to call from several threads at once.</summary>
    public static void Logits(TransformerModel model, ReadOnlySpan<int> tokens, int batch, int time, Span<float> logits) =>
        Logits(model, tokens, batch, time, logits, []);

    /// <summary>
    /// Writes logits (B, T, V) and the final normed hidden states (B, T, C), the vectors the output head reads: what a
    /// probe of the model's own state at a position reads. An empty <paramref name="hidden"/> skips them.
    /// </summary>
    public static void Logits(TransformerModel model, ReadOnlySpan<int> tokens, int batch, int time, Span<float> logits, Span<float> hidden)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        if (batch <= 0 || time <= 0) throw new ArgumentException($"Batch and time must be positive, got ({batch}, {time}).");
        if (tokens.Length != batch * time) throw new ArgumentException($"tokens has {tokens.Length} ids, expected {batch}·{time}.");
        if (time > c.MaxPositionEmbeddings) throw new ArgumentException($"Sequences of {time} tokens exceed the model's {c.MaxPositionEmbeddings} positions.");
        if (logits.Length != batch * time * c.VocabSize) throw new ArgumentException($"logits must hold {batch}·{time}·{c.VocabSize} floats.");
        if (hidden.Length != 0 && hidden.Length != batch * time * c.HiddenSize) throw new ArgumentException($"hidden must hold {batch}·{time}·{c.HiddenSize} floats.");

        var weights = InferenceWeights.For(model);
        var pool = InferenceWeights.PoolFor(model);
        var ws = pool.Rent(batch * time, batch * time, batch, time);
        try
        {
            Span<int> rows = batch <= 256 ? stackalloc int[batch] : new int[batch];
            for (int b = 0; b < batch; b++) rows[b] = b;
            Decoder.Forward(weights, ws, tokens, batch, time, 0, rows, allLogits: true);
            ws.Logits.AsSpan(0, logits.Length).CopyTo(logits);
            ws.Xn.AsSpan(0, hidden.Length).CopyTo(hidden);
        }
        finally
        {
            pool.Return(ws);
        }
    }
}
