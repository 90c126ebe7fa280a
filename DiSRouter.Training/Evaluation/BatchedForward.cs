using System.Diagnostics;
using DiSRouter.Models;
using DiSRouter.Models.Inference;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Teacher-forced inference over many sequences: right-padded batches of similar length through one grad-free
/// <see cref="ForwardPass"/> each, several batches in flight. WHY: a measurement that needs only logits of given
/// tokens (a decision's first-token distribution, an answer's log-probabilities, a verification's yes/no) costs one
/// prompt pass; batched, the products run as (B·T, C) GEMMs instead of B separate passes, and no cache or tape is kept.
/// The logits equal a single sequence's pass up to float rounding (another GEMM shape): the same quantity, not the same bits.
/// </summary>
internal static class BatchedForward
{
    /// <summary>Sequences per forward: bounds the (B·T, V) logits and the activations of one batch.</summary>
    public const int BatchSize = 16;

    /// <summary>
    /// Runs every sequence and calls <paramref name="read"/>(i, logits) with sequence i's logits, shape (T_i, V): row t
    /// predicts token t + 1. Returns each sequence's share of its batch's wall time in ms (by token count): the model
    /// time the measurement cost, not a served prompt pass's latency.
    /// </summary>
    public static double[] Run(TransformerModel model, IReadOnlyList<int[]> sequences, int parallelism, Action<int, ReadOnlySpan<float>> read,
        Action<int>? onBatchDone = null, CancellationToken ct = default) =>
        Run(model, sequences, parallelism, (i, logits, _) => read(i, logits), wantHidden: false, onBatchDone, ct);

    /// <summary>
    /// As <see cref="Run(TransformerModel, IReadOnlyList{int[]}, int, Action{int, ReadOnlySpan{float}}, Action{int}?, CancellationToken)"/>,
    /// and <paramref name="read"/> also gets sequence i's final normed hidden states, shape (T_i, C): what the output head reads.
    /// </summary>
    public static double[] Run(TransformerModel model, IReadOnlyList<int[]> sequences, int parallelism, ReadWithHidden read,
        bool wantHidden, Action<int>? onBatchDone = null, CancellationToken ct = default)
    {
        int vocab = model.Config.VocabSize, channels = model.Config.HiddenSize;
        var ms = new double[sequences.Count];
        // Similar lengths together: a batch pads to its longest.
        var order = Enumerable.Range(0, sequences.Count).Where(i => sequences[i].Length > 0).OrderBy(i => sequences[i].Length).ThenBy(i => i).ToArray();
        var batches = order.Chunk(BatchSize).ToArray();
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, batch =>
        {
            int time = batch.Max(i => sequences[i].Length);
            var tokens = new int[batch.Length * time];
            for (int b = 0; b < batch.Length; b++) sequences[batch[b]].CopyTo(tokens, b * time);
            var logits = GC.AllocateUninitializedArray<float>(batch.Length * time * vocab);                // (B, T, V)
            var hidden = wantHidden ? GC.AllocateUninitializedArray<float>(batch.Length * time * channels) : []; // (B, T, C)
            var clock = Stopwatch.StartNew();
            ForwardPass.Logits(model, tokens, batch.Length, time, logits, hidden);
            double elapsed = clock.Elapsed.TotalMilliseconds;
            long total = batch.Sum(i => (long)sequences[i].Length);
            for (int b = 0; b < batch.Length; b++)
            {
                int i = batch[b];
                read(i, logits.AsSpan(b * time * vocab, sequences[i].Length * vocab),
                    wantHidden ? hidden.AsSpan(b * time * channels, sequences[i].Length * channels) : []);
                ms[i] = Math.Round(elapsed * sequences[i].Length / total, 3);
            }
            onBatchDone?.Invoke(batch.Length);
        });
        return ms;
    }

    /// <summary>Reads sequence i's logits (T_i, V) and, where asked for, its final normed hidden states (T_i, C).</summary>
    public delegate void ReadWithHidden(int i, ReadOnlySpan<float> logits, ReadOnlySpan<float> hidden);

    /// <summary>log softmax(row)[token].</summary>
    public static double LogProb(ReadOnlySpan<float> row, int token)
    {
        float max = float.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in row) sum += Math.Exp(v - max);
        return row[token] - max - Math.Log(sum);
    }

    /// <summary>First index of the largest logit: greedy decoding's pick (the same tie rule as the engine's sampler).</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best]) best = j;
        return best;
    }
}
