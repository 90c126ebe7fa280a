using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace DiSRouter.Gateway.Tests.Routing;

/// <summary>
/// The auction aliases: the request enters the cascade at the entry agent as any cascade request does, with the α the
/// alias (or the client) chose and the auction rule named in X-DiSRouter-Rule; the gateway holds no auction itself.
/// Only the gateway names the rule: a client's own rule and best-bid headers never reach an agent. The plain aliases take
/// the gateway's default rule (Gateway:Rule, the auction unless set); the cascade aliases never name one.
/// </summary>
public sealed class AuctionAliasTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("disrouter-auction", 0.5, "balance", "auction")]
    [InlineData("disrouter-auction-performance-first", 0.2, "performance-first", "auction")]
    [InlineData("disrouter-auction-balance", 0.5, "balance", "auction")]
    [InlineData("disrouter-auction-cost-first", 0.8, "cost-first", "auction")]
    [InlineData("DisRouter-Auction-Cost-First", 0.8, "cost-first", "auction")]
    // the plain aliases run the gateway's default rule, the auction
    [InlineData("disrouter", 0.5, "balance", "auction")]
    [InlineData("disrouter-performance-first", 0.2, "performance-first", "auction")]
    [InlineData("disrouter-cost-first", 0.8, "cost-first", "auction")]
    // the cascade aliases name no rule: each agent decides by its own threshold
    [InlineData("disrouter-cascade", 0.5, "balance", null)]
    [InlineData("disrouter-cascade-performance-first", 0.2, "performance-first", null)]
    [InlineData("disrouter-cascade-balance", 0.5, "balance", null)]
    [InlineData("Disrouter-Cascade-Cost-First", 0.8, "cost-first", null)]
    public async Task AliasEntersTheCascadeUnderItsRuleAtItsScenario(string model, double alpha, string scenario, string? rule)
    {
        var received = await SendAsync(GatewayFixture.Chat(model));

        Assert.Equal(rule, received.Headers.GetValueOrDefault("X-DiSRouter-Rule"));
        Assert.Equal("0", received.Headers["X-DiSRouter-Hops"]);
        Assert.Equal((alpha, scenario), (received.Alpha, received.Scenario));
        Assert.False(received.Headers.ContainsKey("X-DiSRouter-Routed-By"));
        Assert.Empty(fixture.Agent1.Assessments); // no auctioneer: the gateway asks no agent for a bid
    }

    [Fact]
    public async Task ContinuousAlphaFromTheBodyTravelsWithTheRule()
    {
        var chat = GatewayFixture.Chat("disrouter-auction");
        chat["alpha"] = 0.35;

        var received = await SendAsync(chat);

        Assert.Equal(("auction", 0.35), (received.Headers["X-DiSRouter-Rule"], received.Alpha));
    }

    [Fact]
    public async Task ClientsOwnRuleAndBestBidHeadersAreDropped()
    {
        var cascade = await SendAsync(GatewayFixture.Chat("disrouter-cascade"), ("X-DiSRouter-Rule", "auction"), ("X-DiSRouter-Best-Bid", "agent=agent-9; p_right=1; cost=0"));
        Assert.False(cascade.Headers.ContainsKey("X-DiSRouter-Rule"));
        Assert.False(cascade.Headers.ContainsKey("X-DiSRouter-Best-Bid"));

        var auction = await SendAsync(GatewayFixture.Chat("disrouter-auction"), ("X-DiSRouter-Rule", "other"), ("X-DiSRouter-Best-Bid", "agent=agent-9; p_right=1; cost=0"));
        Assert.Equal("auction", auction.Headers["X-DiSRouter-Rule"]);
        Assert.False(auction.Headers.ContainsKey("X-DiSRouter-Best-Bid"));
    }

    [Fact]
    public async Task GatewayRuleCascadeMakesThePlainAliasesTheThresholdCascadeAndKeepsTheAuctionByName()
    {
        await using var agent = await new FakeAgent("agent-1", 0.1).StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, new() { ["Gateway:Rule"] = "Cascade" });
        using var client = factory.CreateAuthorizedClient();

        foreach (var (model, rule) in new[] { ("disrouter", (string?)null), ("disrouter-cost-first", null), ("disrouter-auction", "auction") })
        {
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", GatewayFixture.Chat(model)).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(rule, agent.Last.Headers.GetValueOrDefault("X-DiSRouter-Rule"));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandBackThatReachesTheGatewayIsA502ProblemThatNamesTheWinner(bool stream)
    {
        var world = new GatewayFixture();
        await world.InitializeAsync();
        try
        {
            world.Agent1.Respond = _ => Results.Content(
                """{"winner":"agent-0","reason":"agent-0 holds the best bid","bids":[],"path":[]}""",
                "application/vnd.disrouter.handback+json", statusCode: 409);
            var chat = GatewayFixture.Chat("disrouter-auction");
            chat["stream"] = stream;

            using var response = await world.PostChatAsync(chat);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = (string?)problem["detail"];
            Assert.Contains("agent-1 handed the query back to the gateway", detail);
            Assert.Contains("named agent-0 the auction's winner (agent-0 holds the best bid)", detail);
            Assert.False(response.Headers.Contains("X-DiSRouter-Answered-By"));
        }
        finally
        {
            await world.DisposeAsync();
        }
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
