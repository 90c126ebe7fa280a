using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Tests.Requests;

/// <summary>α is chosen once, at the entry, by one precedence; every later hop reads it from the header.</summary>
public sealed class ScenarioSelectorTests
{
    private static ChatCompletionRequest Request(double? alpha = null, string? scenario = null) => new() { Alpha = alpha, Scenario = scenario };

    [Fact]
    public void PrecedenceIsBodyAlphaThenBodyScenarioThenHeadersThenModelAlias()
    {
        Assert.Equal((0.65, "body alpha"), Pick(ScenarioSelector.Select(Request(0.65, "cost-first"), "0.3", "balance", Scenario.PerformanceFirst)));
        Assert.Equal((0.8, "body scenario"), Pick(ScenarioSelector.Select(Request(scenario: "cost-first"), "0.3", "balance", Scenario.PerformanceFirst)));
        Assert.Equal((0.3, "header alpha"), Pick(ScenarioSelector.Select(Request(), "0.3", "balance", Scenario.PerformanceFirst)));
        Assert.Equal((0.5, "header scenario"), Pick(ScenarioSelector.Select(Request(), null, "balance", Scenario.PerformanceFirst)));
        Assert.Equal((0.2, "model alias"), Pick(ScenarioSelector.Select(Request(), null, null, Scenario.PerformanceFirst)));
        Assert.Equal((0.5, "default"), Pick(ScenarioSelector.Select(Request(), null, null, null)));
    }

    [Theory]
    [InlineData("2", "Header X-DiSRouter-Alpha must be a number in [0, 1], got '2'")]
    [InlineData("cheap", "must be a number in [0, 1], got 'cheap'")]
    public void BadAlphaHeaderIsAnError(string header, string reason)
    {
        Assert.Contains(reason, ScenarioSelector.Select(Request(), header, null, null).Error);
    }

    [Fact]
    public void BadScenarioHeaderIsAnErrorNotASilentDefault()
    {
        Assert.Contains("Header X-DiSRouter-Scenario is 'fastest', which is not a scenario", ScenarioSelector.Select(Request(), null, "fastest", null).Error);
    }

    [Fact]
    public void HopTakesTheChosenAlphaFromItsHeader()
    {
        var sut = ScenarioSelector.FromHop("0.35");

        Assert.Equal(0.35, sut.Scenario!.Alpha);
        Assert.Equal("alpha-0.35", sut.Scenario.Name);
        Assert.Contains(RoutingHeaders.Alpha, ScenarioSelector.FromHop(null).Error);
        Assert.Contains("got 'x'", ScenarioSelector.FromHop("x").Error);
    }

    [Theory]
    [InlineData("disrouter-performance-first", 0.2)]
    [InlineData("DisRouter-Cost-First", 0.8)]
    [InlineData("disrouter", 0.5)]
    [InlineData("disrouter-cascade-cost-first", 0.8)]
    [InlineData("disrouter-cascade", 0.5)]
    public void ModelAliasNamesItsScenario(string model, double alpha)
    {
        Assert.Equal(alpha, ModelAliases.ScenarioOf(model)!.Alpha);
    }

    [Fact]
    public void AgentNameIsNoAlias()
    {
        Assert.Null(ModelAliases.ScenarioOf("agent-2"));
        Assert.Null(ModelAliases.ScenarioOf(null));
        Assert.Null(ModelAliases.CascadeScenarioOf("disrouter"));
    }

    [Fact]
    public void ACascadeAliasIsNoPlainAliasSoTheGatewaysRuleNeverTakesIt()
    {
        Assert.Null(ModelAliases.PlainScenarioOf("disrouter-cascade-cost-first"));
        Assert.Equal(0.8, ModelAliases.PlainScenarioOf("disrouter-cost-first")!.Alpha);
    }

    private static (double, string) Pick(ScenarioSelection s) => (s.Scenario!.Alpha, s.Source);
}
