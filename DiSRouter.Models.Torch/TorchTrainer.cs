using DiSRouter.Models.Training;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch;

/// <summary>
/// Trains a <see cref="TorchTransformer"/> in place with the managed <see cref="Trainer"/>'s recipe: masked next-token
/// cross-entropy over right-padded micro-batches with gradients accumulated as one batch, global-norm clipping, the
/// same warmup + cosine schedule, and AdamW written out as PyTorch's (decoupled decay on matrices only). The
/// log-probability path (<see cref="ForwardLogProbs"/> → <see cref="Backward"/> → <see cref="OptimizerStep"/>) is what
/// RL needs. Weights and moments stay float32; the forward runs in the model's compute type (bf16 on a GPU).
/// </summary>
public sealed class TorchTrainer : IDisposable
{
    private readonly TorchTransformer _model;
    private readonly (Tensor Param, Tensor M, Tensor V, bool Decay)[] _state;
    private readonly PaddedBatch _batch = new();

    public TorchTrainer(TorchTransformer model, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        Options = options;
        _state = model.Parameters.Values.Select(p =>
        {
            var m = zeros_like(p).DetachFromDisposeScope();
            var v = zeros_like(p).DetachFromDisposeScope();
            return (p, m, v, p.dim() >= 2);
        }).ToArray();
    }

    // Gradient elements widened to float64 at a time for the norm (128 MB).
    private const long NormChunkElements = 1 << 24;

    public TrainerOptions Options { get; }
    public TorchTransformer Model => _model;
    public int StepCount { get; private set; }

    /// <summary>One optimizer step on <paramref name="batch"/>; returns the masked mean cross-entropy before the update.</summary>
    public TrainStepResult Step(IReadOnlyList<TrainingExample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("The batch is empty.", nameof(batch));
        double totalWeight = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var ex = batch[i] ?? throw new ArgumentNullException(nameof(batch), $"Example {i} is null.");
            PaddedBatch.Validate(ex.Tokens, ex.LossMask, i, _model.Config);
            for (int t = 1; t < ex.Tokens.Length; t++) totalWeight += ex.LossMask is null ? 1f : ex.LossMask[t];
        }
        if (!(totalWeight > 0)) throw new ArgumentException("No target token of the batch has a positive loss-mask weight; there is nothing to train.", nameof(batch));

        var tokens = batch.Select(e => e.Tokens).ToList();
        var masks = batch.Select(e => e.LossMask).ToList();
        double loss = 0;
        for (int start = 0; start < batch.Count; start += Options.MicroBatchSize)
        {
            using var scope = NewDisposeScope();
            _batch.Build(tokens, masks, start, Math.Min(Options.MicroBatchSize, batch.Count - start), _model.Config);
            var logp = TargetLogProbs(out var weights);                                  // (B, T)
            var mbLoss = -(logp * weights).sum() / totalWeight;
            loss += mbLoss.item<float>();
            mbLoss.backward();
        }
        var update = OptimizerStep();
        return new TrainStepResult(update.Step, loss, totalWeight, update.GradNorm, update.LearningRate);
    }

    /// <summary>
    /// Grad-enabled log-probabilities of <paramref name="sequences"/> as one right-padded batch:
    /// LogProbs[i][t − 1] = log p(tokens[t] | tokens[&lt;t]). Back-propagate a loss on them with <see cref="Backward"/>.
    /// </summary>
    public TorchLogProbPass ForwardLogProbs(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("No sequences given.", nameof(sequences));
        using var scope = NewDisposeScope();
        _batch.Build(sequences, null, 0, sequences.Count, _model.Config);
        var logp = TargetLogProbs(out _);
        var host = TorchTransformer.Read(logp);
        int seqLen = _batch.SeqLen;
        var values = new float[sequences.Count][];
        for (int b = 0; b < sequences.Count; b++) values[b] = host.AsSpan(b * seqLen, sequences[b].Length - 1).ToArray();
        return new TorchLogProbPass(this, logp.MoveToOuterDisposeScope(), seqLen, values);
    }

    /// <summary>Adds ∂loss/∂θ to the gradients, given ∂loss/∂LogProbs in the pass's ragged shape; the pass is consumed.</summary>
    public void Backward(TorchLogProbPass pass, IReadOnlyList<float[]> dLossDLogProbs)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(dLossDLogProbs);
        if (!ReferenceEquals(pass.Owner, this)) throw new ArgumentException("This pass was made by another trainer.", nameof(pass));
        using var logp = pass.Take() ?? throw new InvalidOperationException("This pass has already been back-propagated or disposed.");
        if (dLossDLogProbs.Count != pass.LogProbs.Count) throw new ArgumentException($"{dLossDLogProbs.Count} gradient rows for {pass.LogProbs.Count} sequences.", nameof(dLossDLogProbs));
        var grad = new float[pass.LogProbs.Count * pass.SeqLen];
        for (int b = 0; b < dLossDLogProbs.Count; b++)
        {
            var d = dLossDLogProbs[b] ?? throw new ArgumentNullException(nameof(dLossDLogProbs), $"Gradient row {b} is null.");
            if (d.Length != pass.LogProbs[b].Length) throw new ArgumentException($"Gradient row {b} has {d.Length} entries, the log-probabilities {pass.LogProbs[b].Length}.", nameof(dLossDLogProbs));
            foreach (float x in d) if (!float.IsFinite(x)) throw new ArgumentException($"Gradient row {b} holds {x}.", nameof(dLossDLogProbs));
            d.CopyTo(grad, b * pass.SeqLen);
        }
        using var scope = NewDisposeScope();
        logp.backward([tensor(grad, [pass.LogProbs.Count, pass.SeqLen], device: _model.Device)]);
    }

    /// <summary>Global-norm clipping, the scheduled rate, AdamW; then the gradients are zeroed.</summary>
    public OptimizerStepResult OptimizerStep()
    {
        // Device memory beyond the training state stays at a few bytes per parameter of the largest tensor (the embedding):
        // the norm is summed over float64 chunks, the update runs in place on the gradient (zeroed after anyway), and each
        // parameter's temporaries are freed before the next. One scope over both loops, as this was first written, kept a
        // float64 copy of every gradient, its square, the clipped gradient and three √v temporaries alive at once: 32 bytes a
        // parameter on top of the 16 of the state (config q's SFT step on the CPU passed 17 GB of RSS with it).
        using var noGrad = no_grad();
        double sumSquares = 0;
        foreach (var (p, _, _, _) in _state)
        {
            using var scope = NewDisposeScope();
            if (p.grad is not { } g) continue;
            foreach (var chunk in g.reshape(-1).split(NormChunkElements))
                sumSquares += chunk.to(ScalarType.Float64).pow_(2).sum().item<double>();
        }
        double norm = Math.Sqrt(sumSquares);
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"The gradient norm is {norm}; refusing to corrupt the weights (lower the learning rate or check the loss).");
        double lr = Trainer.ScheduledLr(Options, StepCount);
        double clip = Options.GradClip > 0 && norm > Options.GradClip ? Options.GradClip / norm : 1.0;
        StepCount++;
        double c1 = 1 - Math.Pow(Options.Beta1, StepCount), rootC2 = Math.Sqrt(1 - Math.Pow(Options.Beta2, StepCount));
        foreach (var (p, m, v, decay) in _state)
        {
            using var scope = NewDisposeScope();
            // A parameter backward never reached has a zero gradient: its moments still decay, as in the managed AdamW.
            var g = p.grad is { } grad ? (clip == 1.0 ? grad : grad.mul_(clip)) : zeros_like(p);
            m.mul_(Options.Beta1).add_(g, 1 - Options.Beta1);
            v.mul_(Options.Beta2).addcmul_(g, g, 1 - Options.Beta2);
            if (decay) p.mul_(1 - lr * Options.WeightDecay);                                  // w ← w·(1 − lr·wd)
            p.addcdiv_(m, v.sqrt().div_(rootC2).add_(Options.Eps), -lr / c1);                 // w ← w − lr/c1 · m / (√v/√c2 + ε)
            p.grad?.zero_();
        }
        _model.MarkWeightsChanged();
        return new OptimizerStepResult(StepCount, norm, lr);
    }

    /// <summary>
    /// Log-probabilities without gradients (reference policies, π_old, evaluation), in <see cref="ForwardLogProbs"/>' shape,
    /// a few sequences per forward to bound activation memory; no optimizer state is allocated.
    /// </summary>
    public static float[][] LogProbs(TorchTransformer model, IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        const int chunk = 16;
        var batch = new PaddedBatch();
        var result = new float[sequences.Count][];
        using var noGrad = no_grad();
        for (int start = 0; start < sequences.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(chunk, sequences.Count - start);
            batch.Build(sequences, null, start, count, model.Config);
            var host = TorchTransformer.Read(TargetLogProbs(model, batch, out _));
            for (int b = 0; b < count; b++) result[start + b] = host.AsSpan(b * batch.SeqLen, sequences[start + b].Length - 1).ToArray();
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------
    // resume

    /// <summary>
    /// Writes the step and AdamW moments in the managed <see cref="Trainer"/>'s file format (same names, order and
    /// float32 layout), atomically: a resume point made on either engine resumes on either. The moments stay on the
    /// device; they are streamed to the file a chunk at a time.
    /// </summary>
    public void SaveState(string path) =>
        OptimizerState.Save(path, StepCount, Layout(), (i, second, start, buffer, count) => TorchTransformer.ReadRange(Moment(i, second), start, buffer, count));

    /// <summary>
    /// Restores a state written by <see cref="SaveState"/> or by the managed trainer for a model of the same layout,
    /// streamed onto the device; a file of another layout is refused before any moment changes.
    /// </summary>
    public void LoadState(string path) =>
        StepCount = OptimizerState.Load(path, Layout(), (i, second, start, buffer, count) => TorchTransformer.WriteRange(Moment(i, second), start, buffer, count));

    private List<(string Name, int Length)> Layout() => _model.Parameters.Select(kv => (kv.Key, (int)kv.Value.numel())).ToList();

    private Tensor Moment(int index, bool second) => second ? _state[index].V : _state[index].M;

    // log p(target) (B, T) of the laid-out batch, 0 on padding; weights (B, T) the loss mask
    private Tensor TargetLogProbs(out Tensor weights) => TargetLogProbs(_model, _batch, out weights);

    private static Tensor TargetLogProbs(TorchTransformer model, PaddedBatch batch, out Tensor weights)
    {
        long b = batch.Batch, t = batch.SeqLen;
        var dev = model.Device;
        var inputs = tensor(batch.Inputs.ToArray().Select(x => (long)x).ToArray(), [b, t], device: dev);
        var targets = tensor(batch.Targets.ToArray().Select(x => (long)x).ToArray(), [b, t], device: dev);
        weights = tensor(batch.Weights.ToArray(), [b, t], device: dev);
        var logits = model.Forward(inputs);                                                       // (B, T, V) float32
        var logp = logits.log_softmax(-1).gather(-1, targets.clamp_min(0).unsqueeze(-1)).squeeze(-1); // (B, T)
        return logp.masked_fill(targets < 0, 0f);
    }

    public void Dispose()
    {
        foreach (var (_, m, v, _) in _state) { m.Dispose(); v.Dispose(); }
    }
}
