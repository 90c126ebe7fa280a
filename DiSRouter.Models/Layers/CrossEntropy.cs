using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Log-softmax gathered at the targets, and the masked cross-entropy built on it. N = rows, V = vocabulary.
/// A negative target marks a padding row: its log-probability is 0 and it receives no gradient.
/// </summary>
internal static unsafe class CrossEntropy
{
    // logp (N) = log softmax(logits[n]) [targets[n]]
    public static void LogProbsForward(Span<float> logProbs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        Check(logits.Length, targets.Length, logProbs.Length, rows, vocab);
        fixed (float* pl = logits, plp = logProbs)
        fixed (int* pt = targets)
        {
            var body = new ForwardBody { LogProbs = plp, Logits = pl, Targets = pt, Vocab = vocab, Chunks = new RowChunks(rows, vocab) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // dlogits[n] += dlogp[n] · (onehot(targets[n]) − softmax(logits[n]))
    public static void LogProbsBackward(Span<float> dlogits, ReadOnlySpan<float> dlogProbs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        Check(logits.Length, targets.Length, dlogProbs.Length, rows, vocab);
        if (dlogits.Length < (long)rows * vocab) throw new ArgumentException($"dlogits must be ({rows}, {vocab}).");
        fixed (float* pd = dlogits, pdl = dlogProbs, pl = logits)
        fixed (int* pt = targets)
        {
            var body = new BackwardBody { Dlogits = pd, DlogProbs = pdl, Logits = pl, Targets = pt, Vocab = vocab, Chunks = new RowChunks(rows, 2 * vocab) };
            EngineThreads.ParallelFor(body.Chunks.Count, body);
        }
    }

    // loss = −scale · Σ_n weights[n] · logp[n]  (weights empty = 1); also fills logp (N). Returns the loss.
    public static double Forward(Span<float> logProbs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, float scale, int rows, int vocab)
    {
        LogProbsForward(logProbs, logits, targets, rows, vocab);
        double sum = 0;
        for (int n = 0; n < rows; n++) sum += (weights.IsEmpty ? 1f : weights[n]) * (double)logProbs[n];
        return -scale * sum;
    }

    // dlogits += ∂loss/∂logits · dloss, for the loss of Forward
    public static void Backward(Span<float> dlogits, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, float scale, float dloss, int rows, int vocab, Span<float> scratch)
    {
        var dlogp = scratch[..rows];
        for (int n = 0; n < rows; n++) dlogp[n] = -scale * dloss * (weights.IsEmpty ? 1f : weights[n]);
        LogProbsBackward(dlogits, dlogp, logits, targets, rows, vocab);
    }

    private static void Check(int logitsLength, int targetsLength, int logProbsLength, int rows, int vocab)
    {
        if (logitsLength < (long)rows * vocab) throw new ArgumentException($"logits must be ({rows}, {vocab}).");
        if (targetsLength < rows || logProbsLength < rows) throw new ArgumentException($"targets and log-probabilities need {rows} entries.");
    }

    // ---------------------------------------------------------------------------------------------

    private struct ForwardBody : IParallelBody
    {
        public float* LogProbs, Logits;
        public int* Targets;
        public int Vocab;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            var tmp = new Span<float>(ThreadScratch.Get(Vocab), Vocab);
            for (int n = start; n < end; n++)
            {
                int target = Targets[n];
                if (target < 0) { LogProbs[n] = 0f; continue; }
                if (target >= Vocab) throw new ArgumentOutOfRangeException(nameof(Targets), $"Target {target} at row {n} is outside the vocabulary [0, {Vocab}).");
                var row = new ReadOnlySpan<float>(Logits + (long)n * Vocab, Vocab);
                LogProbs[n] = row[target] - Softmax.LogSumExp(row, tmp);
            }
        }
    }

    private struct BackwardBody : IParallelBody
    {
        public float* Dlogits, DlogProbs, Logits;
        public int* Targets;
        public int Vocab;
        public RowChunks Chunks;

        public readonly void Invoke(int item)
        {
            var (start, end) = Chunks[item];
            var probs = new Span<float>(ThreadScratch.Get(Vocab), Vocab);
            for (int n = start; n < end; n++)
            {
                int target = Targets[n];
                float g = DlogProbs[n];
                if (target < 0 || g == 0f) continue;
                new ReadOnlySpan<float>(Logits + (long)n * Vocab, Vocab).CopyTo(probs);
                Softmax.InPlace(probs);
                float* d = Dlogits + (long)n * Vocab;
                for (int j = 0; j < Vocab; j++) d[j] -= g * probs[j];
                d[target] += g;
            }
        }
    }
}
