using DiSRouter.Models.Autograd;

namespace DiSRouter.Models.Training;

/// <summary>
/// A grad-enabled forward made by <see cref="Trainer.ForwardLogProbs"/>: the per-token log-probabilities and the
/// activations needed to back-propagate a loss on them. Consumed by <see cref="Trainer.Backward"/>; dispose a pass
/// that will not be back-propagated to release its memory.
/// </summary>
public sealed class LogProbPass : IDisposable
{
    private Trainer.PassContext? _context;

    internal LogProbPass(Trainer owner, Trainer.PassContext context, Tensor logProbs, float[][] values)
    {
        Owner = owner;
        _context = context;
        LogProbTensor = logProbs;
        LogProbs = values;
    }

    /// <summary>LogProbs[i][t − 1] = log p(tokens[t] | tokens[&lt;t]) of sequence i (length tokens − 1).</summary>
    public IReadOnlyList<float[]> LogProbs { get; }

    internal Trainer Owner { get; }
    internal Tensor LogProbTensor { get; }

    internal Trainer.PassContext? Take() => Interlocked.Exchange(ref _context, null);

    public void Dispose()
    {
        if (Take() is { } ctx) Owner.Return(ctx);
    }
}
