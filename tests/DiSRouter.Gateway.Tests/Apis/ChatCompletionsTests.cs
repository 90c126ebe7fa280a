using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

public sealed class ChatCompletionsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task AnswerIsRelayedWithTheRoutingMetadata()
    {
        using var response = await fixture.PostChatAsync(GatewayFixture.Chat());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request))!;
        Assert.Equal("chat.completion", (string?)body["object"]);
        Assert.Equal(FakeAgent.AnswerText, (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal("agent-1", (string?)body["disrouter"]!["answered_by"]);
        Assert.Equal("answer", (string?)body["disrouter"]!["path"]![0]!["decision"]);
    }

    [Fact]
    public async Task EntryAgentGetsHopZeroTheChosenAlphaAsHeadersAndTheBodyAsSent()
    {
        var chat = GatewayFixture.Chat("disrouter-cost-first");
        chat["stream"] = false;
        chat["temperature"] = 0.5;
        chat["user"] = "kept-as-is";
        using var response = await fixture.PostChatAsync(chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = fixture.Agent1.Last;
        Assert.Equal("0", received.Headers["X-DiSRouter-Hops"]);
        Assert.Equal(0.8, received.Alpha);
        Assert.Equal("cost-first", received.Scenario);
        Assert.Equal(JsonNode.Parse(chat.ToJsonString())!.ToJsonString(), received.Body.ToJsonString()); // forwarded byte for byte
        Assert.False((bool)received.Body["stream"]!);
        Assert.Equal(0.5, (double)received.Body["temperature"]!);
        Assert.Equal("kept-as-is", (string?)received.Body["user"]);
        Assert.Equal("What is 2 + 2?", (string?)received.Body["messages"]![0]!["content"]);
    }

    [Fact]
    public async Task TextContentPartsAreAcceptedAndForwardedAsSent()
    {
        var chat = GatewayFixture.Chat();
        chat["messages"]![0]!["content"] = new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = "What is " },
            new JsonObject { ["type"] = "text", ["text"] = "2 + 2?" });
        using var response = await fixture.PostChatAsync(chat);

        // The agent reads the parts by the same rules (ChatRequestParser joins them); nothing is rewritten on the way.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2 + 2?", (string?)fixture.Agent1.Last.Body["messages"]![0]!["content"]![1]!["text"]);
    }

    [Fact]
    public async Task DeveloperRoleIsAcceptedAndForwardedAsSent()
    {
        var chat = GatewayFixture.Chat();
        ((JsonArray)chat["messages"]!).Insert(0, new JsonObject { ["role"] = "developer", ["content"] = "Be brief." });
        using var response = await fixture.PostChatAsync(chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("developer", (string?)fixture.Agent1.Last.Body["messages"]![0]!["role"]);
    }

    [Fact]
    public async Task ModelNamingAnAgentEntersTheCascadeAtThatAgent()
    {
        using var response = await fixture.PostChatAsync(GatewayFixture.Chat("agent-2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request))!;
        Assert.Equal("agent-2", (string?)body["disrouter"]!["answered_by"]);
        Assert.Equal(0.5, fixture.Agent2.Last.Alpha);
    }

    [Fact]
    public async Task AgentsProblemIsRelayedWithItsStatus()
    {
        fixture.Agent2.Respond = _ => Microsoft.AspNetCore.Http.Results.Problem(
            detail: "Hop limit 16 reached.", statusCode: 508);
        try
        {
            using var response = await fixture.PostChatAsync(GatewayFixture.Chat("agent-2"));

            Assert.Equal((HttpStatusCode)508, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request))!;
            Assert.Equal("Hop limit 16 reached.", (string?)body["detail"]);
        }
        finally
        {
            fixture.Agent2.Respond = null;
        }
    }

    [Fact]
    public async Task AgentsOwnServerErrorBecomes502WithItsDetail()
    {
        fixture.Agent2.Respond = _ => Microsoft.AspNetCore.Http.Results.Problem(detail: "model crashed", statusCode: 500);
        try
        {
            using var response = await fixture.PostChatAsync(GatewayFixture.Chat("agent-2"));

            await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.BadGateway, "agent-2 answered HTTP 500: model crashed");
        }
        finally
        {
            fixture.Agent2.Respond = null;
        }
    }

    [Fact]
    public async Task AgentAnsweringSomethingElseThanJsonGives502()
    {
        fixture.Agent2.Respond = _ => Microsoft.AspNetCore.Http.Results.Text("boom", statusCode: 500);
        try
        {
            using var response = await fixture.PostChatAsync(GatewayFixture.Chat("agent-2"));

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request))!;
            Assert.Contains("HTTP 500: boom", (string?)body["detail"]);
        }
        finally
        {
            fixture.Agent2.Respond = null;
        }
    }

    [Fact]
    public async Task TraceContextTravelsToTheEntryAgent()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var response = await fixture.PostChatAsync(GatewayFixture.Chat(),
            r => r.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceparent = fixture.Agent1.Last.Headers["traceparent"];
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", traceparent);
        Assert.DoesNotContain("00f067aa0ba902b7", traceparent); // a new span of the same trace, not the caller's
    }
}
