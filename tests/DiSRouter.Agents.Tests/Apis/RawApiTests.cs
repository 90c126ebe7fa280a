using System.Net;
using System.Text.Json;
using DiSRouter.Agents.Tests.Support;

namespace DiSRouter.Agents.Tests.Apis;

public sealed class RawApiTests(SingleAgent solo) : IClassFixture<SingleAgent>
{
    private static string Marker() => "r-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RawEndpointGivesTheModelTheConversationWithoutAScenarioPrompt()
    {
        var marker = Marker();
        var body = $$"""{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"{{marker}}"}]}""";

        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal($"sample 0: {marker}", sut.Content);
        Assert.Equal("echo-model", sut.Completion.Model);
        Assert.Null(sut.Completion.DiSRouter);
        Assert.False(sut.Json.TryGetProperty("disrouter", out _));
        var call = Assert.Single(solo.Model.CallsFor(marker));
        Assert.Equal("Be brief.", call.Prompt.System);
        Assert.Null(call.Prompt.AssistantPrefix);
        Assert.Equal(sut.Content.Length, sut.Completion.Usage!.CompletionTokens);
    }

    [Fact]
    public async Task RawEndpointHonoursSamplingFields()
    {
        var marker = Marker();

        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions",
            Http.Chat(marker, "\"temperature\":0.7,\"top_p\":0.9,\"seed\":11,\"max_tokens\":50,\"stop\":[\"zz\"],\"n\":3"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal([0, 1, 2], sut.Completion.Choices.Select(c => c.Index));
        Assert.Equal($"sample 2: {marker}", sut.Completion.Choices[2].Message.Content);
        var settings = Assert.Single(solo.Model.CallsFor(marker)).Settings;
        Assert.Equal((0.7, 0.9, 11, 50, 3), (settings.Temperature, settings.TopP, settings.Seed, settings.MaxNewTokens, settings.N));
        Assert.Equal(["zz"], settings.Stop);
    }

    [Fact]
    public async Task RequestedTokenLimitIsCappedByTheAgentsLimitAndCutsTheReply()
    {
        var marker = Marker();

        var capped = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat(marker, "\"max_tokens\":100000"));
        var cut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat(marker, "\"max_completion_tokens\":5"));

        Assert.Equal(200, solo.Model.CallsFor(marker)[0].Settings.MaxNewTokens);
        Assert.Equal("sampl", cut.Content);
        Assert.Equal("length", cut.Completion.Choices[0].FinishReason);
        Assert.Equal(HttpStatusCode.OK, capped.Status);
    }

    [Fact]
    public async Task StopSequenceEndsTheReply()
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("abc: def", "\"stop\":\":\""));

        Assert.Equal("sample 0", sut.Content);
        Assert.Equal("stop", sut.Completion.Choices[0].FinishReason);
    }

    [Fact]
    public async Task RawEndpointStreamsOpenAiChunks()
    {
        var marker = Marker();

        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions",
            Http.Chat(marker, "\"stream\":true,\"stop\":\"-end\",\"stream_options\":{\"include_usage\":true}"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("text/event-stream", sut.ContentType);
        var events = sut.Body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).ToList();
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        var text = string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));
        Assert.Equal($"sample 0: {marker}", text);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(text.Length, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamNeverSendsTextThatTheStopSequenceCutsOff()
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("x-ray-end", "\"stream\":true,\"stop\":\"-end\""));

        var text = string.Concat(sut.Body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim()["data: ".Length..]).Where(d => d != "[DONE]")
            .SelectMany(d => JsonDocument.Parse(d).RootElement.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));
        Assert.Equal("sample 0: x-ray", text);
    }

    [Fact]
    public async Task RawEndpointRefusesAModelItDoesNotServe()
    {
        var sut = await solo.Agent.Client.PostJsonAsync("/raw/v1/chat/completions", Http.Chat("q", "\"model\":\"gpt-9\""));

        Assert.Equal(HttpStatusCode.NotFound, sut.Status);
        Assert.Contains("'gpt-9' is not served here", sut.ProblemDetail);
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/raw/v1/models")]
    public async Task ModelsListsTheAgentsModel(string path)
    {
        var sut = await solo.Agent.Client.GetReplyAsync(path);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("list", sut.Json.GetProperty("object").GetString());
        var model = Assert.Single(sut.Json.GetProperty("data").EnumerateArray());
        Assert.Equal("echo-model", model.GetProperty("id").GetString());
        Assert.Equal("agent-solo", model.GetProperty("owned_by").GetString());
    }
}
