using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Streaming;

/// <summary>The gateway passes the entry agent's stream through as it comes (YARP, unbuffered).</summary>
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
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.True(chunks.Count >= 3, $"Expected a role chunk, content chunks and a final chunk, got {chunks.Count}.");
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        Assert.Equal(FakeAgent.AnswerText, string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"] ?? "")));

        // Only the last chunk finishes the choice and carries the routing metadata and usage.
        var last = chunks[^1];
        Assert.Equal("stop", (string?)last["choices"]![0]!["finish_reason"]);
        Assert.Equal("agent-1", (string?)last["disrouter"]!["answered_by"]);
        Assert.Equal(0.2, (double)last["disrouter"]!["alpha"]!);
        Assert.Equal(30, (int)last["usage"]!["total_tokens"]!);
        Assert.All(chunks[..^1], c => Assert.Null(c["disrouter"]));

        // The agent is asked for the stream itself: the gateway no longer cuts a finished answer into chunks.
        Assert.True((bool)fixture.Agent1.Last.Body["stream"]!);
    }

    [Fact]
    public async Task FirstChunkArrivesBeforeTheAnswerEnds()
    {
        fixture.Agent2.StreamDelay = TimeSpan.FromMilliseconds(150);
        try
        {
            var chat = GatewayFixture.Chat("agent-2");
            chat["stream"] = true;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = System.Net.Http.Json.JsonContent.Create(chat) };
            var sw = Stopwatch.StartNew();
            using var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

            TimeSpan? firstText = null;
            string? line;
            while ((line = await reader.ReadLineAsync().WaitAsync(TestTimeouts.Request)) is not null)
                if (firstText is null && line.StartsWith("data: {") && (string?)JsonNode.Parse(line[6..])!["choices"]![0]!["delta"]!["content"] is { Length: > 0 })
                    firstText = sw.Elapsed;
            var total = sw.Elapsed;

            // 13 words at 150 ms each: the answer takes about 2 s; its first word is out after about 150 ms.
            Assert.NotNull(firstText);
            Assert.True(firstText < total / 2, $"First text after {firstText!.Value.TotalMilliseconds:0} ms of {total.TotalMilliseconds:0} ms: buffered.");
        }
        finally
        {
            fixture.Agent2.StreamDelay = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task EntryAgentDyingMidStreamBreaksTheStreamWithoutDone()
    {
        fixture.Agent2.DieAfterWords = 3;
        fixture.Agent2.StreamDelay = TimeSpan.FromMilliseconds(50); // the first words are out before it dies
        try
        {
            var chat = GatewayFixture.Chat("agent-2");
            chat["stream"] = true;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = System.Net.Http.Json.JsonContent.Create(chat) };
            using var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // The client sees a broken stream, never a [DONE] after half an answer.
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync().WaitAsync(TestTimeouts.Request));
        }
        finally
        {
            fixture.Agent2.DieAfterWords = null;
            fixture.Agent2.StreamDelay = TimeSpan.Zero;
        }
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
}
