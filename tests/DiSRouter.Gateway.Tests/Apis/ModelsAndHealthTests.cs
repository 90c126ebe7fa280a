using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

public sealed class ModelsAndHealthTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task ModelsListsTheRoutingAliasesThenTheAgents()
    {
        using var response = await fixture.Client.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", (string?)body["object"]);
        var ids = body["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        Assert.Equal(["disrouter-performance-first", "disrouter-balance", "disrouter-cost-first", "disrouter",
            "disrouter-cascade-performance-first", "disrouter-cascade-balance", "disrouter-cascade-cost-first", "disrouter-cascade",
            "disrouter-self-route-performance-first", "disrouter-self-route-balance", "disrouter-self-route-cost-first", "disrouter-self-route",
            "disrouter-bids-performance-first", "disrouter-bids-balance", "disrouter-bids-cost-first", "disrouter-bids",
            "disrouter-auction-performance-first", "disrouter-auction-balance", "disrouter-auction-cost-first", "disrouter-auction",
            "agent-1", "agent-2"], ids);
        Assert.All(body["data"]!.AsArray(), m => Assert.Equal("model", (string?)m!["object"]));
        Assert.All(body["data"]!.AsArray(), m => Assert.True((long)m!["created"]! > 0));
    }

    [Fact]
    public async Task GatewayIsReachedOverARealSocket()
    {
        // Not the in-memory TestServer: a plain HttpClient of our own reaches the same port.
        using var plain = new HttpClient { BaseAddress = fixture.Client.BaseAddress };
        using var response = await plain.GetAsync("/alive").WaitAsync(TestTimeouts.Request);

        Assert.NotEqual(80, fixture.Client.BaseAddress!.Port);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task HealthEndpointsAnswerWithoutAKey(string path)
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync(path).WaitAsync(TestTimeouts.Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request));
    }
}
