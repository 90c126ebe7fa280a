using DiSRouter.Models.Autograd;

namespace DiSRouter.Models.Training;

/// <summary>
/// Trains a <see cref="TransformerModel"/> in place with AdamW. <see cref="Step"/> is the supervised path (masked
/// next-token cross-entropy with accumulation over micro-batches); <see cref="ForwardLogProbs"/> →
/// <see cref="Backward"/> → <see cref="OptimizerStep"/> is the path for losses built outside (RL on log-probabilities).
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class Trainer
{
    private readonly TransformerModel _model;
    private readonly TransformerGraph _graph;
    private readonly AdamW _adam;
    private readonly Stack<PassContext> _free = new();
    private readonly List<int[]> _mbTokens = [];
    private readonly List<float[]?> _mbMasks = [];

    public Trainer(TransformerModel model, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        Options = options;
        _graph = new TransformerGraph(model);
        _adam = new AdamW(model.Parameters);
    }

    public TrainerOptions Options { get; }
    public TransformerModel Model => _model;

    /// <summary>Optimizer steps taken so far (restored by <see cref="LoadState"/>).</summary>
    public int StepCount => _adam.Step;

    // ---------------------------------------------------------------------------------------------
    // supervised step

    /// <summary>
    /// One optimizer step on <paramref name="batch"/>: forward/backward per micro-batch of
    /// <see cref="TrainerOptions.MicroBatchSize"/> sequences (each right-padded to its longest), gradients accumulated
    /// with every target weighted by its mask over the mask total of the whole batch, so the update equals that of one
    /// big batch. Then clip, schedule and AdamW. Returns the loss before the update.
    /// </summary>
    public TrainStepResult Step(IReadOnlyList<TrainingExample> batch)
    {
        double loss = AccumulateGradients(batch, out double totalWeight);
        var update = OptimizerStep();
        return new TrainStepResult(update.Step, loss, totalWeight, update.GradNorm, update.LearningRate);
    }

    /// <summary>The forward/backward half of <see cref="Step"/>: adds ∂(masked mean cross-entropy)/∂θ to the gradients, returns the loss.</summary>
    internal double AccumulateGradients(IReadOnlyList<TrainingExample> batch, out double totalWeight)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("The batch is empty.", nameof(batch));
        _mbTokens.Clear();
        _mbMasks.Clear();
        totalWeight = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var ex = batch[i] ?? throw new ArgumentNullException(nameof(batch), $"Example {i} is null.");
            PaddedBatch.Validate(ex.Tokens, ex.LossMask, i, _model.Config);
            _mbTokens.Add(ex.Tokens);
            _mbMasks.Add(ex.LossMask);
            for (int t = 1; t < ex.Tokens.Length; t++) totalWeight += ex.LossMask is null ? 1f : ex.LossMask[t];
        }
        if (!(totalWeight > 0)) throw new ArgumentException("No target token of the batch has a positive loss-mask weight; there is nothing to train.", nameof(batch));

        var ctx = Rent();
        double loss = 0;
        try
        {
            for (int start = 0; start < batch.Count; start += Options.MicroBatchSize)
            {
                int count = Math.Min(Options.MicroBatchSize, batch.Count - start);
                ctx.Batch.Build(_mbTokens, _mbMasks, start, count, _model.Config);
                var g = ctx.Tape;
                var logits = _graph.Forward(g, ctx.Batch);                                          // (N, V)
                var logp = g.LogSoftmaxGather(logits, ctx.Batch.Targets);                           // (N, 1)
                var mbLoss = g.WeightedSum(logp, ctx.Batch.Weights, (float)(-1.0 / totalWeight));  // (1, 1)
                loss += mbLoss.Data[0];
                g.Backward(mbLoss);
                g.Reset();
            }
        }
        finally
        {
            Return(ctx);
        }
        return loss;
    }

    // ---------------------------------------------------------------------------------------------
    // log-probability path (RL)

    /// <summary>
    /// Grad-enabled forward of <paramref name="sequences"/> as one right-padded batch: LogProbs[i][t − 1] = log p(tokens[t] | tokens[&lt;t]).
    /// The activations stay alive until <see cref="Backward"/> consumes the pass (or it is disposed).
    /// </summary>
    public LogProbPass ForwardLogProbs(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("No sequences given.", nameof(sequences));
        var ctx = Rent();
        try
        {
            ctx.Batch.Build(sequences, null, 0, sequences.Count, _model.Config);
            var logits = _graph.Forward(ctx.Tape, ctx.Batch);
            var logp = ctx.Tape.LogSoftmaxGather(logits, ctx.Batch.Targets);   // (B·T, 1)
            var result = new float[sequences.Count][];
            int seqLen = ctx.Batch.SeqLen;
            for (int b = 0; b < sequences.Count; b++)
                result[b] = logp.Data.Slice(b * seqLen, sequences[b].Length - 1).ToArray();
            return new LogProbPass(this, ctx, logp, result);
        }
        catch
        {
            Return(ctx);
            throw;
        }
    }

    /// <summary>
    /// Back-propagates ∂loss/∂LogProbs (same ragged shape as <see cref="LogProbPass.LogProbs"/>) through the pass and
    /// adds the result to the parameter gradients; the pass is consumed. Call <see cref="OptimizerStep"/> to apply.
    /// </summary>
    public void Backward(LogProbPass pass, IReadOnlyList<float[]> dLossDLogProbs)
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(dLossDLogProbs);
        if (!ReferenceEquals(pass.Owner, this)) throw new ArgumentException("This pass was made by another trainer.", nameof(pass));
        var ctx = pass.Take() ?? throw new InvalidOperationException("This pass has already been back-propagated or disposed.");
        try
        {
            var logProbs = pass.LogProbs;
            if (dLossDLogProbs.Count != logProbs.Count) throw new ArgumentException($"{dLossDLogProbs.Count} gradient rows for {logProbs.Count} sequences.", nameof(dLossDLogProbs));
            var grad = pass.LogProbTensor.Grad;
            int seqLen = ctx.Batch.SeqLen;
            for (int b = 0; b < logProbs.Count; b++)
            {
                var d = dLossDLogProbs[b] ?? throw new ArgumentNullException(nameof(dLossDLogProbs), $"Gradient row {b} is null.");
                if (d.Length != logProbs[b].Length) throw new ArgumentException($"Gradient row {b} has {d.Length} entries, the log-probabilities {logProbs[b].Length}.", nameof(dLossDLogProbs));
                foreach (float x in d) if (!float.IsFinite(x)) throw new ArgumentException($"Gradient row {b} holds {x}.", nameof(dLossDLogProbs));
                d.AsSpan().CopyTo(grad.Slice(b * seqLen, d.Length));
            }
            ctx.Tape.Backward();
        }
        finally
        {
            ctx.Tape.Reset();
            Return(ctx);
        }
    }

    /// <summary>Applies the accumulated gradients: global-norm clipping, the scheduled rate, AdamW; then zeroes the gradients.</summary>
    public OptimizerStepResult OptimizerStep()
    {
        double norm = _adam.GradNorm();
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"The gradient norm is {norm}; refusing to corrupt the weights (lower the learning rate or check the loss).");
        double lr = GetLr(_adam.Step);
        double scale = Options.GradClip > 0 && norm > Options.GradClip ? Options.GradClip / norm : 1.0;
        _adam.Update(lr, Options.WeightDecay, Options.Beta1, Options.Beta2, Options.Eps, scale);
        _model.MarkWeightsChanged();
        return new OptimizerStepResult(_adam.Step, norm, lr);
    }

    /// <summary>Clears the accumulated gradients without updating (e.g. after a skipped batch).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _model.Parameters) p.ZeroGrad();
    }

    /// <summary>Learning rate of update number <paramref name="step"/> (0-based): linear warmup, then cosine decay to the floor.</summary>
    public double GetLr(int step) => ScheduledLr(Options, step);

    /// <summary>The schedule of <see cref="GetLr"/> for any options (the TorchSharp trainer follows the same one).</summary>
    internal static double ScheduledLr(TrainerOptions o, int step)
    {
        // 1) linear warmup for WarmupSteps steps
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / (o.WarmupSteps + 1);
        // 2) no decay configured: stay at the peak
        if (o.TotalSteps == 0) return o.LearningRate;
        // 3) past TotalSteps, return the minimum learning rate
        if (step > o.TotalSteps) return o.MinLearningRate;
        // 4) in between, cosine decay down to the minimum learning rate
        double decayRatio = o.TotalSteps == o.WarmupSteps ? 1 : (double)(step - o.WarmupSteps) / (o.TotalSteps - o.WarmupSteps);
        double coeff = 0.5 * (1.0 + Math.Cos(Math.PI * decayRatio)); // coeff ranges 0..1
        return o.MinLearningRate + coeff * (o.LearningRate - o.MinLearningRate);
    }

    // ---------------------------------------------------------------------------------------------
    // resume

    /// <summary>Writes the optimizer state (step and AdamW moments) atomically: a temp file, then a rename over <paramref name="path"/>.</summary>
    public void SaveState(string path) => OptimizerState.Save(path, _adam);

    /// <summary>Restores the optimizer state written by <see cref="SaveState"/> for a model of the same layout.</summary>
    public void LoadState(string path) => OptimizerState.Load(path, _adam);

    // ---------------------------------------------------------------------------------------------

    internal sealed class PassContext
    {
        public Tape Tape { get; } = new();
        public PaddedBatch Batch { get; } = new();
    }

    private PassContext Rent() => _free.TryPop(out var ctx) ? ctx : new PassContext();

    internal void Return(PassContext ctx)
    {
        ctx.Tape.Reset();
        _free.Push(ctx);
    }
}
