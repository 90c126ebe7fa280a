using DiSRouter.Models.Training;

namespace DiSRouter.Models.Tests.Training;

/// <summary>Tiny shapes that exercise every path (GQA, biases, tied or untied head) in milliseconds.</summary>
internal static class TinyModels
{
    public static TransformerConfig Config(bool tied = false, bool bias = true) => new()
    {
        VocabSize = 13,
        HiddenSize = 16,
        IntermediateSize = 24,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 32,
        RopeTheta = 10000,
        RmsNormEps = 1e-5,
        TieWordEmbeddings = tied,
        AttentionBias = bias,
    };

    public static TransformerModel Model(TransformerConfig config, int seed = 7, float scale = 1f)
    {
        var model = TransformerModel.Create(config, seed);
        if (scale != 1f)
        {
            // Larger, non-trivial weights (incl. norms and biases) so gradient checks see real curvature.
            var rng = new Random(seed);
            foreach (var p in model.Parameters)
                for (int i = 0; i < p.Length; i++)
                    p.Data[i] = p.Shape.Length == 1
                        ? (p.Name.EndsWith("norm.weight", StringComparison.Ordinal) ? 1f : 0f) + (float)((rng.NextDouble() * 2 - 1) * 0.3)
                        : p.Data[i] * scale;
        }
        return model;
    }

    public static int[] Sequence(Random rng, int length, int vocab = 13)
    {
        var s = new int[length];
        for (int i = 0; i < length; i++) s[i] = rng.Next(vocab);
        return s;
    }

    public static TrainerOptions Options(double lr = 1e-2, int microBatch = 16) => new()
    {
        LearningRate = lr,
        MinLearningRate = lr,
        WarmupSteps = 0,
        TotalSteps = 0,
        WeightDecay = 0.0,
        GradClip = 1.0,
        MicroBatchSize = microBatch,
        Seed = 1,
    };

    public static float[][] Snapshot(TransformerModel model) => [.. model.Parameters.Select(p => p.Data.ToArray())];
}
