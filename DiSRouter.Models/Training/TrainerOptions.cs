namespace DiSRouter.Models.Training;

/// <summary>Optimizer, schedule and batching settings of a <see cref="Trainer"/>; every field has a default and a reason.</summary>
public sealed record TrainerOptions
{
    /// <summary>Peak learning rate, reached at the end of warmup; 3e-4 is a safe AdamW default for small transformers.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Floor of the cosine decay; about LearningRate/10 as in nanoGPT (Chinchilla).</summary>
    public double MinLearningRate { get; init; } = 3e-5;

    /// <summary>Steps of linear warmup; AdamW's second moments are noisy at first, so the rate ramps up.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Step at which the cosine reaches MinLearningRate (nanoGPT's lr_decay_iters); 0 keeps the peak rate after warmup.</summary>
    public int TotalSteps { get; init; }

    /// <summary>Decoupled weight decay on matrices (embeddings, projections); norms and biases are never decayed.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>First-moment decay; 0.9 as in PyTorch's AdamW.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Second-moment decay; 0.95 suits small batches (nanoGPT), PyTorch's default is 0.999.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Added to the root of the second moment so tiny gradients don't explode the step.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Global gradient-norm ceiling; 1.0 as in nanoGPT, 0 disables clipping.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Sequences per forward/backward pass; a step's batch is split into these and gradients accumulate, bounding activation memory.</summary>
    public int MicroBatchSize { get; init; } = 16;

    /// <summary>Seed for anything stochastic in training. The trainer itself draws nothing at random (no dropout), so equal seeds, models and batches give bit-identical weights.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        static void Require(bool ok, string why) { if (!ok) throw new ArgumentException("Invalid trainer options: " + why); }
        Require(LearningRate >= 0 && MinLearningRate >= 0 && double.IsFinite(LearningRate) && double.IsFinite(MinLearningRate), "learning rates must be finite and ≥ 0");
        Require(WarmupSteps >= 0 && TotalSteps >= 0, "WarmupSteps and TotalSteps must be ≥ 0");
        Require(TotalSteps == 0 || TotalSteps >= WarmupSteps, "TotalSteps must be 0 (no decay) or ≥ WarmupSteps");
        Require(WeightDecay >= 0, "WeightDecay must be ≥ 0");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Beta1 and Beta2 must lie in [0, 1)");
        Require(Eps > 0, "Eps must be > 0");
        Require(GradClip >= 0, "GradClip must be ≥ 0 (0 disables clipping)");
        Require(MicroBatchSize > 0, "MicroBatchSize must be > 0");
    }
}
