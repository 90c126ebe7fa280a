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

    // Easy items weigh more (3, 3, 2, 1, 1 for difficulties 1–5): a pilot of nano-1 at 5000 steps reached 9.7 % in-domain
    // with these weights against 7.0 % with equal ones, and the hard items still spread the larger members.
    public static CorpusSpec Corpus { get; } = new() { DifficultyWeights = [3, 3, 2, 1, 1] };

    // The budget (45 minutes on two cores) is what limits: pilots on this world (docs/pool.md) found accuracy set by
    // training compute more than by size or batch (nano-1: 7 % after 1.7 minutes, 14 % after 3.2; nano-2: 14 % after
    // 3.6), so the sizes stop near a million parameters, every member trains at batch 16, and each gets a larger share
    // of the budget than the one before. Measured on an AVX2-only two-core EPYC: 328, 440, 481, 794 and 1118 s (41, 102,
    // 155, 335 and 570 ms a step), 47.9 minutes with the evaluation; at an AVX-512 Xeon's step times about 22 minutes.
    public static IReadOnlyList<PoolMemberSpec> Members { get; } =
    [
        Member("nano-1", hidden: 32, layers: 2, heads: 2, kvHeads: 2, tied: true, seed: 101, cost: 0.1, steps: 8000, lr: 3e-3f),
        Member("nano-2", hidden: 48, layers: 3, heads: 3, kvHeads: 3, tied: true, seed: 102, cost: 0.2, steps: 4300, lr: 3e-3f),
        Member("nano-3", hidden: 64, layers: 4, heads: 4, kvHeads: 4, tied: true, seed: 103, cost: 0.4, steps: 3100, lr: 2e-3f),
        Member("nano-4", hidden: 96, layers: 5, heads: 4, kvHeads: 2, tied: false, seed: 104, cost: 0.7, steps: 2350, lr: 1.5e-3f),
        Member("nano-5", hidden: 128, layers: 6, heads: 4, kvHeads: 2, tied: false, seed: 105, cost: 0.9, steps: 1950, lr: 1.5e-3f),
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
        BatchSize = 16,
        LearningRate = lr,
    };
}
