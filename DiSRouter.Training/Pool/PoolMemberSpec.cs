using DiSRouter.Models;

namespace DiSRouter.Training.Pool;

/// <summary>
/// One agent of a pool: its shape, how long and how hard it trains, and what routing charges for it.
/// Everything that decides the trained weights is here or in <see cref="CorpusSpec"/>, so a pool is
/// reproduced from its spec and seed alone.
/// </summary>
internal sealed record PoolMemberSpec
{
    /// <summary>Name in cascade order ("nano-1" is the cheapest); also the checkpoint directory.</summary>
    public required string Name { get; init; }

    public required TransformerConfig Config { get; init; }

    /// <summary>Initialisation and data-order seed; distinct per member so the members' errors are not copies.</summary>
    public required int Seed { get; init; }

    /// <summary>Normalised cost charged when this agent answers (0.1 … 0.9, as in the paper's pool).</summary>
    public required double Cost { get; init; }

    /// <summary>Optimizer steps; the main lever for capability once the shape is fixed.</summary>
    public required int Steps { get; init; }

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Examples per forward/backward; bounds activation memory, not the maths.</summary>
    public int MicroBatchSize { get; init; } = 16;

    /// <summary>Peak AdamW learning rate: small models tolerate (and need) larger ones.</summary>
    public required float LearningRate { get; init; }

    /// <summary>Cosine floor as a share of the peak.</summary>
    public float MinLearningRateRatio { get; init; } = 0.1f;

    public int WarmupSteps { get; init; } = 50;

    public float WeightDecay { get; init; } = 0.05f;

    /// <summary>Length curriculum: the first this many steps see only examples of at most <see cref="CurriculumMaxTokens"/> tokens.</summary>
    public int CurriculumSteps { get; init; }

    /// <summary>Longest example of the curriculum's first steps, in tokens (one-step items and fact statements fit).</summary>
    public int CurriculumMaxTokens { get; init; }

    /// <summary>Tokens a query may generate at evaluation and in service; the longest chain of thought fits.</summary>
    public int MaxNewTokens { get; init; } = 192;
}
