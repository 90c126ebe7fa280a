using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SelfAwareCliTests
{
    [Fact]
    public void AlphasParseFromNumbersNamesAndGrids()
    {
        Assert.Equal([0.2, 0.5, 0.8], SelfAwareCli.ParseAlphas("0.2,0.5,0.8"));
        Assert.Equal([0.2, 0.5, 0.8], SelfAwareCli.ParseAlphas("performance-first, balance, Cost First"));
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], SelfAwareCli.ParseAlphas("0:1:0.25"));
        Assert.Equal([0.8, 0.1, 0.2, 0.3], SelfAwareCli.ParseAlphas("cost-first,0.1:0.3:0.1"));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0.2,0.2")]
    [InlineData("fast")]
    [InlineData("0.5:0.1:0.1")]
    [InlineData("")]
    public void BadAlphaListsAreRefused(string text) => Assert.Throws<FormatException>(() => SelfAwareCli.ParseAlphas(text));
}
