using DiSRouter.Models;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class FlopsEstimateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatmulParametersAreAllParametersButEmbeddingAndNormsPlusTheHead(bool tied)
    {
        var config = new TransformerConfig { HiddenSize = 48, IntermediateSize = 128, NumHiddenLayers = 3, NumAttentionHeads = 3, NumKeyValueHeads = 1, TieWordEmbeddings = tied };
        var model = TransformerModel.CreateEmpty(config);
        long norms = (2L * config.NumHiddenLayers + 1) * config.HiddenSize;
        long embedding = (long)config.VocabSize * config.HiddenSize;

        long sut = FlopsEstimate.MatmulParameters(config);

        Assert.Equal(model.ParameterCount - norms - embedding + (tied ? embedding : 0), sut);
    }

    [Fact]
    public void AttentionTermGrowsWithContext()
    {
        var config = NanoPool.Members[^1].Config;

        long atZero = FlopsEstimate.PerToken(config, context: 0), at128 = FlopsEstimate.PerToken(config, context: 128);

        Assert.Equal(2 * FlopsEstimate.MatmulParameters(config), atZero);
        Assert.Equal(4L * config.NumHiddenLayers * 128 * config.HiddenSize, at128 - atZero);
    }
}
