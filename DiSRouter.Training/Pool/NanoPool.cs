using DiSRouter.Models;

namespace DiSRouter.Training.Pool;

/// <summary>
/// The nano pool: five byte-level decoders of rising width and depth, the stand-in for a 0.5B–14B
/// family. Small members tie their embeddings and use plain multi-head attention; the larger ones use
/// grouped-query attention and an untied head, as Qwen2.5 does. Training budgets grow faster than the
/// sizes so that the biggest member gets most of the pool's wall-clock time.
/// </summary>
internal static class NanoPool
{
    public const string Name = "nano";
    public const string DirectoryName = "nano-pool";

    public static CorpusSpec Corpus { get; } = new();

    // Small members get many small steps (they are cheap, and exact copying of numbers from the prompt emerges with
    // updates, not with batch size); the largest keeps big batches, where its time is spent best on tokens.
    public static IReadOnlyList<PoolMemberSpec> Members { get; } =
    [
        Member("nano-1", hidden: 32, layers: 2, heads: 2, kvHeads: 2, tied: true, seed: 101, cost: 0.1, steps: 3000, lr: 3e-3f) with { BatchSize = 16 },
        Member("nano-2", hidden: 48, layers: 3, heads: 3, kvHeads: 3, tied: true, seed: 102, cost: 0.2, steps: 3000, lr: 3e-3f) with { BatchSize = 16 },
        Member("nano-3", hidden: 80, layers: 4, heads: 4, kvHeads: 4, tied: true, seed: 103, cost: 0.4, steps: 2500, lr: 2e-3f) with { BatchSize = 16 },
        Member("nano-4", hidden: 128, layers: 5, heads: 4, kvHeads: 2, tied: false, seed: 104, cost: 0.7, steps: 2500, lr: 1.5e-3f) with { BatchSize = 16 },
        Member("nano-5", hidden: 192, layers: 6, heads: 6, kvHeads: 2, tied: false, seed: 105, cost: 0.9, steps: 2000, lr: 1e-3f),
    ];

    public static PoolMemberSpec Member(string name, int hidden, int layers, int heads, int kvHeads, bool tied,
        int seed, double cost, int steps, float lr) => new()
    {
        Name = name,
        Config = new TransformerConfig
        {
            HiddenSize = hidden,
            IntermediateSize = TransformerConfig.SwiGluHidden(hidden),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            MaxPositionEmbeddings = 320,
            TieWordEmbeddings = tied,
        },
        Seed = seed,
        Cost = cost,
        Steps = steps,
        LearningRate = lr,
    };
}
