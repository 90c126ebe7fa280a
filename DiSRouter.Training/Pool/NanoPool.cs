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
    // Drill sheets (ten drills a sheet, three in ten copy drills) put the step primitive and the copying of operands and
    // names in front of every member far more often than the task examples alone do: on nano world 2 every member ended
    // near 12 % with its chains' computed digits wrong (nano-5: "4+3=8") or its operands miscopied (nano-1: "4+4").
    // Half the copy drills copy invented names: knowledge questions waited on copying the land's name (a nano-3 pilot:
    // knowledge 22 → 89 %).
    // Multiple choice answers with the right option's text (ChoiceChain.OptionText): with the letter after the value every
    // member named one constant letter, and two chains that made the letter a local step did not change that (pilots).
    public static CorpusSpec Corpus { get; } = new()
    {
        DifficultyWeights = [3, 3, 2, 1, 1], DrillSheets = 16000, DrillsPerSheet = 10, CopyDrillShare = 0.3, NameCopyShare = 0.5,
        ChoiceChain = Core.Tasks.ChoiceChain.OptionText,
    };

    // Every member reads the corpus (6.1 M tokens) one to thirteen times rather than for the same wall time: a member only
    // starts to copy from the question after a few thousand steps (pilots of nano-3 at 2000 steps: 6–10 % in-domain,
    // operands and names miscopied), and below ~2.7 M parameters steps buy more than size in this budget (with the
    // option-text chain, at 100 test items a family: nano-2 at 16000 steps 63 %, nano-3 at 6000 58 %, nano-4 at 4500
    // 45 %; nano-1 at 24000 → 48000 steps 21 → 33 %). So the steps fall with size only as far as keeps the curve rising:
    // nano-2 at 11000 (54 %), nano-4 at 7000 (72 %), nano-5 at 8500 (82 % at 300 items a family; 78 % at 6500 steps). The pool trains on two lanes
    // (PoolPretraining.Options.Lanes), a member on each core: one thread steps nano-1 … nano-5 in about 17–19, 42–46,
    // 78–84, 140–155 and 227–243 ms on the AVX-512 two-core EPYC, and the smallest gain nothing from a second one.
    public static IReadOnlyList<PoolMemberSpec> Members { get; } =
    [
        Member("nano-1", hidden: 32, layers: 2, heads: 2, kvHeads: 2, tied: true, seed: 101, cost: 0.1, steps: 48000, lr: 5e-3f),
        Member("nano-2", hidden: 48, layers: 3, heads: 3, kvHeads: 3, tied: true, seed: 102, cost: 0.2, steps: 11000, lr: 3e-3f),
        Member("nano-3", hidden: 64, layers: 4, heads: 4, kvHeads: 4, tied: true, seed: 103, cost: 0.4, steps: 7500, lr: 3e-3f),
        Member("nano-4", hidden: 96, layers: 5, heads: 4, kvHeads: 2, tied: false, seed: 104, cost: 0.7, steps: 7000, lr: 2e-3f),
        Member("nano-5", hidden: 128, layers: 6, heads: 4, kvHeads: 2, tied: false, seed: 105, cost: 0.9, steps: 8500, lr: 2e-3f),
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
