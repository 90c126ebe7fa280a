using DiSRouter.Models.Autograd;

namespace DiSRouter.Models.Training;

/// <summary>Per-token log-probabilities without gradients (reference policies, evaluation). Thread-safe: each call has its own buffers.</summary>
public static class LogProbs
{
    // Sequences per forward, to bound activation memory on long lists.
    private const int Chunk = 16;

    /// <summary>result[i][t − 1] = log p(sequences[i][t] | sequences[i][&lt;t]); every sequence needs at least 2 tokens.</summary>
    public static float[][] Compute(TransformerModel model, IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        var graph = new TransformerGraph(model);
        var tape = new Tape { GradEnabled = false };
        var batch = new PaddedBatch();
        var result = new float[sequences.Count][];
        for (int start = 0; start < sequences.Count; start += Chunk)
        {
            int count = Math.Min(Chunk, sequences.Count - start);
            batch.Build(sequences, null, start, count, model.Config);
            var logp = tape.LogSoftmaxGather(graph.Forward(tape, batch), batch.Targets);
            for (int b = 0; b < count; b++)
                result[start + b] = logp.Data.Slice(b * batch.SeqLen, sequences[start + b].Length - 1).ToArray();
            tape.Reset();
        }
        return result;
    }
}
