using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Inference;

public sealed class GenerationTimingsTests
{
    private static readonly int[] Prompt = ChatFormat.EncodePrompt(ByteTokenizer.Default, "sys", "What is 47+38?");

    [Fact]
    public void ACallStoppedAtItsFirstTokenPaysNoDecodeStep()
    {
        var sut = new Generator(TinyModels.Create(seed: 51), ByteTokenizer.Default);
        var timings = new GenerationTimings();

        var result = sut.Generate(Prompt, new GenerationOptions { MaxNewTokens = 64 }, (_, _) => false, timings: timings).Single();

        Assert.Equal(FinishReasons.Aborted, result.FinishReason);
        Assert.Equal(0, timings.DecodeSteps);
        Assert.True(timings.Prefill > TimeSpan.Zero);
        Assert.Equal(timings.SetUp + timings.Prefill + timings.FirstToken + timings.Decode, timings.Total);
    }

    [Fact]
    public void EveryTokenAfterTheFirstCountsOneDecodeStep()
    {
        var sut = new Generator(TinyModels.Create(seed: 52), ByteTokenizer.Default);
        var timings = new GenerationTimings();

        var result = sut.Generate(Prompt, new GenerationOptions { MaxNewTokens = 10, StopAtEos = false }, timings: timings).Single();

        Assert.Equal(10, result.TokenIds.Length);
        Assert.Equal(9, timings.DecodeSteps);
        Assert.True(timings.Decode > TimeSpan.Zero);
    }
}
