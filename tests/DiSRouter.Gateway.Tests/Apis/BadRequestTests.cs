using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

/// <summary>Every refusal is a problem+json with the reason, and nothing refused reaches an agent.</summary>
public sealed class BadRequestTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("{\"model\": \"disrouter\", \"messages\": [", "not valid JSON")]
    [InlineData("", "body is empty")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"model\": \"disrouter\"}", "'messages' is required")]
    [InlineData("{\"messages\": []}", "'messages' is required")]
    [InlineData("{\"messages\": \"hello\"}", "'messages' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"  \"}]}", "'messages[0].content' is empty")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "'messages[0].content' is empty")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", "'messages[0].content' has the wrong type")]
    [InlineData("{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", "supported roles")]
    [InlineData("{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}]}", "must end with a user message")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "only text content")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"alpha\": \"high\"}", "'alpha' has the wrong type: expected a number")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"alpha\": 1.5}", "'alpha' must lie in [0, 1]")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"alpha\": -0.1}", "'alpha' must lie in [0, 1]")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"scenario\": \"cheapest\"}", "known scenarios are")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}", "'stream' has the wrong type: expected a boolean")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 0}", "must be positive")]
    [InlineData("{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "Unknown model 'gpt-4o'")]
    public async Task BadBodyGets400WithTheReason(string json, string reason)
    {
        var before = fixture.Agent1.Requests.Count;
        using var response = await PostRawAsync(json);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
        Assert.Equal(before, fixture.Agent1.Requests.Count);
    }

    [Theory]
    [InlineData("X-DiSRouter-Alpha", "2", "must be a number in [0, 1]")]
    [InlineData("X-DiSRouter-Alpha", "cheap", "must be a number in [0, 1]")]
    [InlineData("X-DiSRouter-Scenario", "fastest", "known scenarios are")]
    public async Task BadScenarioHeaderGets400(string header, string value, string reason)
    {
        using var response = await fixture.PostChatAsync(GatewayFixture.Chat(), r => r.Headers.Add(header, value));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task UnknownModelListsTheKnownOnes()
    {
        using var response = await fixture.PostChatAsync(GatewayFixture.Chat("nope"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "disrouter-balance, disrouter-cost-first, disrouter, disrouter-cascade-performance-first, disrouter-cascade-balance, disrouter-cascade-cost-first, disrouter-cascade, disrouter-self-route-performance-first, disrouter-self-route-balance, disrouter-self-route-cost-first, disrouter-self-route, disrouter-bids-performance-first, disrouter-bids-balance, disrouter-bids-cost-first, disrouter-bids, disrouter-auction-performance-first, disrouter-auction-balance, disrouter-auction-cost-first, disrouter-auction, agent-1, agent-2");
    }

    [Fact]
    public async Task MissingKeyGets401()
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.PostAsync("/v1/chat/completions", Json(GatewayFixture.Chat().ToJsonString()))
            .WaitAsync(TestTimeouts.Request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Missing API key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task WrongKeyGets401()
    {
        using var client = fixture.Factory.CreateAuthorizedClient("not-the-key");
        using var response = await client.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task NonBearerSchemeGets401()
    {
        using var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dGVzdC1rZXk6");
        using var response = await client.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Bearer scheme");
    }

    [Fact]
    public async Task OversizedBodyGets413BeforeItIsRead()
    {
        var big = GatewayFixture.Chat(content: new string('x', 2 << 20)).ToJsonString();
        using var response = await PostRawAsync(big);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "exceeds the limit of 1048576 bytes");
    }

    [Fact]
    public async Task OversizedChunkedBodyGets413()
    {
        var big = Encoding.UTF8.GetBytes(GatewayFixture.Chat(content: new string('x', 2 << 20)).ToJsonString());
        // A stream of unknown length goes out chunked: no Content-Length to judge by, so the limit bites while reading.
        var content = new StreamContent(new UnseekableStream(big));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await fixture.Client.PostAsync("/v1/chat/completions", content).WaitAsync(TestTimeouts.Request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "exceeds the limit");
    }

    private Task<HttpResponseMessage> PostRawAsync(string json) =>
        fixture.Client.PostAsync("/v1/chat/completions", Json(json)).WaitAsync(TestTimeouts.Request);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.Contains(reason, (string?)problem["detail"]);
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
