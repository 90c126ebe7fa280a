using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Tests.Checkpoints;

public sealed class BidScaleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BidScale Make(double weight = 0.8, double bias = -0.2) => new() { PromptAlpha = 0.5, Weight = weight, Bias = bias, WeightsSha256 = "0123456789abcdef" };

    [Fact]
    public void ProbabilityIsTheLogisticOfTheLinearMapOfTheGap()
    {
        var sut = Make();
        Assert.Equal(1 / (1 + Math.Exp(-(0.8 * 1.5 - 0.2))), sut.Probability(1.5), 14);
        Assert.Equal(0.5, sut.Probability(0.25), 14);
        Assert.Equal(0, sut.Probability(-1e6), 14); // no overflow at the far ends
        Assert.Equal(1, sut.Probability(1e6), 14);
    }

    [Fact]
    public void FileRoundTripsBesideTheCheckpointAndAnAbsentFileReadsAsNone()
    {
        Assert.Null(BidScale.TryRead(_dir));
        Make().Write(_dir);

        var read = BidScale.TryRead(_dir)!;

        Assert.Equal((0.5, 0.8, -0.2, "0123456789abcdef"), (read.PromptAlpha, read.Weight, read.Bias, read.WeightsSha256));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Theory]
    [InlineData("not json", "not a valid bid file")]
    [InlineData("{\"format\":\"disrouter-bid/9\",\"prompt_alpha\":0.5,\"weight\":1,\"bias\":0,\"weights_sha256\":\"x\"}", "format")]
    [InlineData("{\"format\":\"disrouter-bid/1\",\"prompt_alpha\":1.5,\"weight\":1,\"bias\":0,\"weights_sha256\":\"x\"}", "prompt_alpha 1.5 is outside [0, 1]")]
    [InlineData("{\"format\":\"disrouter-bid/1\",\"prompt_alpha\":0.5,\"weight\":1,\"bias\":0,\"weights_sha256\":\"\"}", "weights_sha256 is missing")]
    public void UnreadableFileSaysWhy(string text, string reason)
    {
        File.WriteAllText(Path.Combine(_dir, BidScale.FileName), text);

        var e = Assert.Throws<CheckpointException>(() => BidScale.TryRead(_dir));

        Assert.Contains(reason, e.Message);
    }
}
