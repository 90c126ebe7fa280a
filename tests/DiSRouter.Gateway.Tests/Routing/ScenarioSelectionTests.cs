using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Routing;

/// <summary>Each way of choosing α, through the real gateway, read back from the hop headers the entry agent received.</summary>
public sealed class ScenarioSelectionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("disrouter-performance-first", 0.2, "performance-first")]
    [InlineData("disrouter-balance", 0.5, "balance")]
    [InlineData("disrouter-cost-first", 0.8, "cost-first")]
    [InlineData("disrouter", 0.5, "balance")]
    [InlineData("DisRouter-Cost-First", 0.8, "cost-first")]
    public async Task ModelAliasPicksTheScenario(string model, double alpha, string scenario)
    {
        var received = await SendAsync(GatewayFixture.Chat(model));

        Assert.Equal(alpha, received.Alpha);
        Assert.Equal(scenario, received.Scenario);
    }

    [Fact]
    public async Task MissingModelMeansBalance()
    {
        var chat = GatewayFixture.Chat();
        chat.Remove("model");

        var received = await SendAsync(chat);

        Assert.Equal(0.5, received.Alpha);
    }

    [Fact]
    public async Task AlphaHeaderBeatsTheModelAlias()
    {
        var received = await SendAsync(GatewayFixture.Chat("disrouter-cost-first"), ("X-DiSRouter-Alpha", "0.35"));

        Assert.Equal(0.35, received.Alpha);
        Assert.Equal("alpha-0.35", received.Scenario);
    }

    [Fact]
    public async Task ScenarioHeaderBeatsTheModelAlias()
    {
        var received = await SendAsync(GatewayFixture.Chat("disrouter-cost-first"), ("X-DiSRouter-Scenario", "performance_first"));

        Assert.Equal(0.2, received.Alpha);
    }

    [Fact]
    public async Task AlphaHeaderBeatsTheScenarioHeader()
    {
        var received = await SendAsync(GatewayFixture.Chat(), ("X-DiSRouter-Scenario", "cost-first"), ("X-DiSRouter-Alpha", "0.1"));

        Assert.Equal(0.1, received.Alpha);
    }

    [Fact]
    public async Task BodyScenarioBeatsTheHeaders()
    {
        var chat = GatewayFixture.Chat("disrouter-performance-first");
        chat["scenario"] = "cost-first";

        var received = await SendAsync(chat, ("X-DiSRouter-Alpha", "0.3"));

        Assert.Equal(0.8, received.Alpha);
    }

    [Fact]
    public async Task BodyAlphaBeatsEverythingElse()
    {
        var chat = GatewayFixture.Chat("disrouter-performance-first");
        chat["scenario"] = "cost-first";
        chat["alpha"] = 0.65;

        var received = await SendAsync(chat, ("X-DiSRouter-Alpha", "0.3"));

        Assert.Equal(0.65, received.Alpha);
        Assert.Equal("alpha-0.65", received.Scenario);
    }

    [Fact]
    public async Task BodyAlphaOfANamedScenarioCarriesItsName()
    {
        var chat = GatewayFixture.Chat();
        chat["alpha"] = 0.2;

        var received = await SendAsync(chat);

        Assert.Equal("performance-first", received.Scenario);
    }

    private async Task<FakeAgent.Received> SendAsync(JsonObject chat, params (string Name, string Value)[] headers)
    {
        using var response = await fixture.PostChatAsync(chat, r =>
        {
            foreach (var (name, value) in headers) r.Headers.Add(name, value);
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return fixture.Agent1.Last;
    }
}
