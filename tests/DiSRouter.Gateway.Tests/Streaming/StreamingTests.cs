using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Streaming;

public sealed class StreamingTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task StreamIsOpenAIChunksEndingWithMetadataThenDone()
    {
        var chat = GatewayFixture.Chat("disrouter-performance-first");
        chat["stream"] = true;
        chat["stream_options"] = new JsonObject { ["include_usage"] = true };

        using var response = await fixture.PostChatAsync(chat);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        // Wire format: every event is one "data: ..." line followed by a blank line.
        Assert.EndsWith("data: [DONE]\n\n", text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.All(events, e => Assert.DoesNotContain('\n', e));
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.True(chunks.Count >= 3, $"Expected a role chunk, content chunks and a final chunk, got {chunks.Count}.");

        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.All(chunks, c => Assert.Equal("chatcmpl-agent-1", (string?)c["id"]));
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);

        var streamed = string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"] ?? ""));
        Assert.Equal(FakeAgent.AnswerText, streamed);

        // Only the last chunk finishes the choice and carries the routing metadata and usage.
        var last = chunks[^1];
        Assert.Equal("stop", (string?)last["choices"]![0]!["finish_reason"]);
        Assert.Equal("agent-1", (string?)last["disrouter"]!["answered_by"]);
        Assert.Equal(0.2, (double)last["disrouter"]!["alpha"]!);
        Assert.Equal(30, (int)last["usage"]!["total_tokens"]!);
        Assert.All(chunks[..^1], c => Assert.Null(c["disrouter"]));
        Assert.All(chunks[..^1], c => Assert.Equal("null", JsonValueKind(c["choices"]![0]!["finish_reason"])));

        // The agent itself is asked for a whole response.
        Assert.Null(fixture.Agent1.Last.Body["stream"]);
        Assert.Null(fixture.Agent1.Last.Body["stream_options"]);
    }

    [Fact]
    public async Task StreamRequestToAFailingAgentGetsAProblemNotAStream()
    {
        fixture.Agent2.Respond = _ => Microsoft.AspNetCore.Http.Results.Problem(detail: "all successors down", statusCode: 503);
        try
        {
            var chat = GatewayFixture.Chat("agent-2");
            chat["stream"] = true;
            using var response = await fixture.PostChatAsync(chat);

            await Apis.BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "all successors down");
        }
        finally
        {
            fixture.Agent2.Respond = null;
        }
    }

    private static string JsonValueKind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString();
}
