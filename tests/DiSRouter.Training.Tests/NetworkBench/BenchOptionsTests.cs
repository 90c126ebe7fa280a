using DiSRouter.Training.NetworkBench;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.Tests.NetworkBench;

public sealed class BenchOptionsTests
{
    [Fact]
    public void DefaultsAreBoundedAndBalance()
    {
        var sut = BenchOptions.Parse([]);

        Assert.Equal(40, sut.Requests);
        Assert.Equal([1], sut.Concurrency);
        Assert.Equal(Scenario.Balance, sut.Scenario);
        Assert.Equal(TimeSpan.FromSeconds(300), sut.SecondsCap);
        Assert.False(sut.Json);
    }

    [Fact]
    public void ConcurrencyListAlphaAndInlineValuesAreRead()
    {
        var sut = BenchOptions.Parse(["--concurrency", "1,4", "--alpha=0.8", "--requests", "12", "--max-tokens", "64", "--json"]);

        Assert.Equal([1, 4], sut.Concurrency);
        Assert.Equal(Scenario.CostFirst, sut.Scenario);
        Assert.Equal(12, sut.Requests);
        Assert.Equal(64, sut.MaxTokens);
        Assert.True(sut.Json);
    }

    [Theory]
    [InlineData("--requests", "0", "--requests must be a whole number in 1..100000, got '0'.")]
    [InlineData("--concurrency", "1,x", "--concurrency must be a whole number in 1..256, got 'x'.")]
    [InlineData("--alpha", "1.5", "--alpha must be a number in [0, 1], got '1.5'.")]
    [InlineData("--scenario", "cheap", "--scenario must be performance-first, balance or cost-first, got 'cheap'.")]
    [InlineData("--max-tokens", "8", "--max-tokens must be a whole number in 16..100000, got '8'.")]
    public void BadValuesAreRefusedWithAMessageThatNamesTheOption(string option, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse([option, value]));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AlphaAndScenarioTogetherAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--alpha", "0.2", "--scenario", "balance"]));

        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void MissingValueAndUnknownArgumentAreRefused()
    {
        Assert.Equal("--requests needs a value.", Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--requests", "--json"])).Message);
        Assert.Equal("Unknown argument '--fast'.", Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--fast"])).Message);
    }

    [Fact]
    public void CheckpointsDirectoryMustExist()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--checkpoints", "/nonexistent/disrouter-pool"]));

        Assert.Contains("/nonexistent/disrouter-pool does not exist", e.Message);
    }

    [Fact]
    public async Task BadCommandLineExitsWithCode2BeforeAnythingStarts()
    {
        Assert.Equal(Training.NetworkBench.NetworkBench.BadInput, await Training.NetworkBench.NetworkBench.RunAsync(["--concurrency", "0"], Path.GetTempPath(), CancellationToken.None));
    }
}
