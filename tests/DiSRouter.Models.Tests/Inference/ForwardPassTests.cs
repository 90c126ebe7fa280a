using DiSRouter.Models.Inference;

namespace DiSRouter.Models.Tests.Inference;

public sealed class ForwardPassTests
{
    [Theory]
    [InlineData(false, true, 2, 8)]    // grouped-query attention with q/k/v biases
    [InlineData(true, false, 4, 8)]    // plain multi-head, tied head, no biases
    [InlineData(false, true, 1, 32)]   // head dim 32: the vectorised attention kernels
    public void LogitsMatchAPlainDoublePrecisionReference(bool tied, bool bias, int kvHeads, int headDim)
    {
        var model = TinyModels.Create(seed: 11, tied, bias, kvHeads, headDim);
        int[] tokens = Enumerable.Range(0, 23).Select(i => (i * 37 + 5) % 264).ToArray();

        var sut = ForwardPass.Logits(model, tokens, 1, tokens.Length);

        var expected = ReferenceDecoder.Logits(model, tokens);
        int v = model.Config.VocabSize;
        double scale = 0;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        Assert.True(scale > 1, "the test model's logits should not be near zero");
        for (int t = 0; t < tokens.Length; t++)
            for (int i = 0; i < v; i++)
                Assert.True(Math.Abs(sut[t * v + i] - expected[t, i]) <= 1e-4 * scale, $"t={t} id={i}: {sut[t * v + i]} vs {expected[t, i]}");
    }

    [Fact]
    public void TheHiddenStatesAreWhatTheHeadReadsToMakeTheLogits()
    {
        var model = TinyModels.Create(seed: 14, tied: false, bias: false, kvHeads: 2, headDim: 8);
        const int b = 2, t = 9;
        var tokens = Enumerable.Range(0, b * t).Select(i => (i * 53 + 3) % 264).ToArray();
        int v = model.Config.VocabSize, c = model.Config.HiddenSize;
        var logits = new float[b * t * v];
        var hidden = new float[b * t * c];

        ForwardPass.Logits(model, tokens, b, t, logits, hidden);

        Assert.Equal(ForwardPass.Logits(model, tokens, b, t), logits);
        Assert.Contains(hidden, h => Math.Abs(h) > 0.1f);
        var head = model.LmHead.Data; // (V, C)
        for (int row = 0; row < b * t; row++)
            for (int j = 0; j < v; j++)
            {
                double dot = 0;
                for (int k = 0; k < c; k++) dot += hidden[row * c + k] * head[j * c + k];
                Assert.Equal(logits[row * v + j], dot, 3);
            }
    }

    [Fact]
    public void EachRowOfABatchEqualsItsOwnForward()
    {
        var model = TinyModels.Create(seed: 12);
        const int b = 3, t = 17;
        var tokens = Enumerable.Range(0, b * t).Select(i => (i * 91 + 7) % 264).ToArray();

        var sut = ForwardPass.Logits(model, tokens, b, t);

        int v = model.Config.VocabSize;
        for (int row = 0; row < b; row++)
        {
            var single = ForwardPass.Logits(model, tokens.AsSpan(row * t, t), 1, t);
            for (int i = 0; i < t * v; i++) Assert.Equal(single[i], sut[row * t * v + i], 4);
        }
    }

    [Fact]
    public void ChangedWeightsAreSeenAfterMarkWeightsChanged()
    {
        var model = TinyModels.Create(seed: 13);
        int[] tokens = [1, 2, 3, 4];
        var before = ForwardPass.Logits(model, tokens, 1, 4);

        // An optimizer step changes the arrays in place and bumps the version; the fused q/k/v copy must follow.
        foreach (ref var w in model.Layers[0].K.Data.AsSpan()) w *= -1;
        model.MarkWeightsChanged();
        var sut = ForwardPass.Logits(model, tokens, 1, 4);

        var fresh = TransformerModel.CreateEmpty(model.Config);
        fresh.LoadState(model.State());
        Assert.NotEqual(before, sut);
        Assert.Equal(ForwardPass.Logits(fresh, tokens, 1, 4), sut);
    }

    [Fact]
    public void BadShapesAreRejectedWithAReason()
    {
        var model = TinyModels.Create();
        Assert.Contains("expected", Assert.Throws<ArgumentException>(() => ForwardPass.Logits(model, new int[5], 2, 3)).Message);
        Assert.Contains("positions", Assert.Throws<ArgumentException>(() => ForwardPass.Logits(model, new int[200], 1, 200)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardPass.Logits(model, [1, 999], 1, 2));
    }
}
