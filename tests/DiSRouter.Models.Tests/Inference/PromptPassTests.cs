using DiSRouter.Models.Inference;

namespace DiSRouter.Models.Tests.Inference;

/// <summary>
/// The prompt pass runs the whole prompt as one batch (GEMM attention from 16 tokens on, and only the last token
/// through the rest of the last layer); it must leave the cache and the next-token logits that feeding the prompt one
/// token at a time leaves.
/// </summary>
public sealed class PromptPassTests
{
    [Theory]
    [InlineData(8, 2, 40)]    // head dim 8, grouped-query attention
    [InlineData(32, 4, 40)]   // head dim 32: the vectorised kernels
    [InlineData(8, 2, 90)]    // more than one block of 64 query rows
    public void APromptPassGivesTheLogitsAndCacheOfTokenByTokenSteps(int headDim, int kvHeads, int length)
    {
        var model = TinyModels.Create(seed: 31, kvHeads: kvHeads, headDim: headDim);
        var tokens = Enumerable.Range(0, length).Select(i => (i * 61 + 7) % 264).ToArray();
        var weights = InferenceWeights.For(model);
        int v = model.Config.VocabSize;

        var batched = new Workspace(model.Config, length, 1, 1, length);
        Decoder.Forward(weights, batched, tokens, 1, length, 0, [0], allLogits: false);

        var stepped = new Workspace(model.Config, 1, 1, 1, length);
        for (int t = 0; t < length; t++) Decoder.Forward(weights, stepped, tokens.AsSpan(t, 1), 1, 1, t, [0], allLogits: false);

        AssertClose(stepped.Logits.AsSpan(0, v), batched.Logits.AsSpan(0, v));
        int d = model.Config.HeadDim;
        for (int l = 0; l < model.Config.NumHiddenLayers; l++)
            for (int g = 0; g < kvHeads; g++)
            {
                AssertClose(stepped.K[l].AsSpan(g * length * d, length * d), batched.K[l].AsSpan(g * length * d, length * d));
                AssertClose(stepped.V[l].AsSpan(g * length * d, length * d), batched.V[l].AsSpan(g * length * d, length * d));
            }
    }

    [Fact]
    public void ABatchOfPromptsGivesEachPromptsOwnLastLogits()
    {
        var model = TinyModels.Create(seed: 32);
        const int batch = 3, time = 20;
        var tokens = Enumerable.Range(0, batch * time).Select(i => (i * 29 + 3) % 264).ToArray();
        var weights = InferenceWeights.For(model);
        int v = model.Config.VocabSize;

        var together = new Workspace(model.Config, batch * time, batch, batch, time);
        Decoder.Forward(weights, together, tokens, batch, time, 0, [0, 1, 2], allLogits: false);

        for (int b = 0; b < batch; b++)
        {
            var alone = ForwardPass.Logits(model, tokens.AsSpan(b * time, time), 1, time);
            AssertClose(alone.AsSpan((time - 1) * v, v), together.Logits.AsSpan(b * v, v));
        }
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
    }
}
