using static TorchSharp.torch;

namespace DiSRouter.Models.Torch;

/// <summary>A grad-enabled forward made by <see cref="TorchTrainer.ForwardLogProbs"/>; consumed by <see cref="TorchTrainer.Backward"/>, else disposed.</summary>
public sealed class TorchLogProbPass : IDisposable
{
    private Tensor? _logProbs;   // (B, T) with its graph

    internal TorchLogProbPass(TorchTrainer owner, Tensor logProbs, int seqLen, float[][] values)
    {
        Owner = owner;
        _logProbs = logProbs;
        SeqLen = seqLen;
        LogProbs = values;
    }

    /// <summary>LogProbs[i][t − 1] = log p(tokens[t] | tokens[&lt;t]) of sequence i.</summary>
    public IReadOnlyList<float[]> LogProbs { get; }

    internal TorchTrainer Owner { get; }
    internal int SeqLen { get; }

    internal Tensor? Take() => Interlocked.Exchange(ref _logProbs, null);

    public void Dispose() => Take()?.Dispose();
}
