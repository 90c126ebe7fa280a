namespace DiSRouter.Models.Tests.Inference;

/// <summary>Small random models that exercise every layout option (GQA, biases, tied head) in milliseconds.</summary>
internal static class TinyModels
{
    /// <summary>Head dim 8 by default; <paramref name="headDim"/> 32 takes the engine's Vector512 attention paths.</summary>
    public static TransformerConfig Config(bool tied = false, bool bias = true, int kvHeads = 2, int headDim = 8) => new()
    {
        VocabSize = 264, HiddenSize = 4 * headDim, IntermediateSize = 96, NumHiddenLayers = 2,
        NumAttentionHeads = 4, NumKeyValueHeads = kvHeads, MaxPositionEmbeddings = 96,
        TieWordEmbeddings = tied, AttentionBias = bias, RmsNormEps = 1e-5,
    };

    /// <summary>
    /// A random model whose weights are scaled up from the 0.02 init so that its logits are far from uniform:
    /// with near-uniform logits greedy decoding would hinge on rounding, and equality tests would be fragile.
    /// </summary>
    public static TransformerModel Create(int seed = 1, bool tied = false, bool bias = true, int kvHeads = 2, int headDim = 8)
    {
        var model = TransformerModel.Create(Config(tied, bias, kvHeads, headDim), seed);
        var rng = new Random(seed + 1000);
        foreach (var p in model.Parameters)
        {
            if (p.Name.EndsWith("norm.weight", StringComparison.Ordinal))
                for (int i = 0; i < p.Length; i++) p.Data[i] = 0.8f + 0.4f * (float)rng.NextDouble();
            else if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
                for (int i = 0; i < p.Length; i++) p.Data[i] = 0.1f * (float)(rng.NextDouble() - 0.5);
            else
                for (int i = 0; i < p.Length; i++) p.Data[i] *= 8f * MathF.Sqrt(8f / headDim); // same logit scale at any width
        }
        model.MarkWeightsChanged();
        return model;
    }

    /// <summary>
    /// A model that only ever writes lowercase letters: every row of the (untied) head is zero except those of
    /// 'a'…'z', so decoded text is plain ASCII and stop strings can be picked from it. Greedy output is a
    /// letter as long as one letter logit is positive, which with 26 random ones it practically always is.
    /// </summary>
    public static TransformerModel CreateLettersOnly(int seed = 1)
    {
        var model = Create(seed);
        int c = model.Config.HiddenSize;
        for (int id = 0; id < model.Config.VocabSize; id++)
            if (id is < 'a' or > 'z') Array.Clear(model.LmHead.Data, id * c, c);
        model.MarkWeightsChanged();
        return model;
    }
}
