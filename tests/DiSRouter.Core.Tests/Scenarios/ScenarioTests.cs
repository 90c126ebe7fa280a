using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Tests.Scenarios;

public sealed class ScenarioTests
{
    [Theory]
    [InlineData("balance", 0.5)]
    [InlineData("Performance First", 0.2)]
    [InlineData("cost_first", 0.8)]
    [InlineData("0.35", 0.35)]
    [InlineData("alpha-0.35", 0.35)]
    [InlineData("1", 1.0)]
    public void ParsesNamesAndNumbers(string text, double alpha)
    {
        Assert.True(Scenario.TryParse(text, out var sut));
        Assert.Equal(alpha, sut.Alpha, 12);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void RejectsWhatIsNoScenario(string? text)
    {
        Assert.False(Scenario.TryParse(text, out _));
    }

    [Fact]
    public void NamedAlphasMapToTheNamedScenariosAndThresholds()
    {
        Assert.Same(Scenario.Balance, Scenario.FromAlpha(0.5));
        Assert.Equal("alpha-0.35", Scenario.FromAlpha(0.35).Name);
        Assert.Equal(0.8, Scenario.PerformanceFirst.RejectionThreshold, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Scenario("x", 1.1));
    }

    [Fact]
    public void EveryScenarioHasAnInstruction()
    {
        Assert.StartsWith("Scenario: Performance First.", ScenarioPrompt.For(Scenario.PerformanceFirst));
        Assert.StartsWith("Scenario: Cost First.", ScenarioPrompt.For(Scenario.CostFirst));
        Assert.Contains("0.35", ScenarioPrompt.For(Scenario.FromAlpha(0.35)));
    }

    [Fact]
    public void UtilityIsAccuracyMinusAlphaTimesCost()
    {
        Assert.Equal(0.73 - 0.2 * 0.40, Utility.Of(0.73, 0.40, 0.2), 12);
    }
}
