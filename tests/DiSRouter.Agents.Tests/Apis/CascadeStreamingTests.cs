using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// True streaming over loopback: an agent commits (decides to answer, or a successor answers), then its tokens leave as
/// the model writes them; a failure after the commit ends the stream with an error event and no [DONE].
/// </summary>
public sealed class CascadeStreamingTests
{
    // The last agent's reply begins with the answer template, which the model continues.
    private const string Prefix = "Let's think step by step:";
    private const string Answer = Prefix + " slowly. The final answer is: 7.";

    private static string Continue(DiSRouter.Agents.Backends.ChatPrompt prompt) => prompt.AssistantPrefix is null ? Answer : Answer[prompt.AssistantPrefix.Length..];

    [Fact]
    public async Task FirstChunkArrivesBeforeTheAnswerEnds()
    {
        var model = new ScriptedBackend("nano-1", (p, _, _) => Continue(p)) { DelayPerToken = TimeSpan.FromMilliseconds(30) };
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1), model);

        var (events, firstText, total) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true"));

        // 57 characters at 30 ms each take about 1.7 s; the first one leaves after about 30 ms. Read as the time left after
        // the first text (a start-up delay, e.g. a loaded machine's first request, adds to both ends): buffered, it would be ~0.
        Assert.True(total - firstText > TimeSpan.FromMilliseconds(800), $"First text after {firstText.TotalMilliseconds:0} ms of {total.TotalMilliseconds:0} ms: not streamed.");
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(Answer, Text(events));
    }

    [Fact]
    public async Task RejectingAgentRelaysItsSuccessorsStreamWithBothHopsInTheLastChunk()
    {
        var model2 = new ScriptedBackend("nano-2", (p, _, _) => Continue(p)) { DelayPerToken = TimeSpan.FromMilliseconds(20) };
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.6), model2);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", agent2))),
            ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));

        var (events, firstText, total) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true,\"alpha\":0.8"));

        // 57 characters at 20 ms each take about 1.1 s after the first; a relay that buffered would send them all at the end.
        Assert.True(total - firstText > TimeSpan.FromMilliseconds(550), $"First text after {firstText.TotalMilliseconds:0} ms of {total.TotalMilliseconds:0} ms: buffered by the relay.");
        Assert.Equal(Answer, Text(events));
        var chunks = Chunks(events);
        var routing = chunks[^1].DiSRouter!;
        Assert.Equal(["agent-1", "agent-2"], routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Answer], routing.Path.Select(h => h.Decision));
        Assert.Equal(("agent-2", 0.6, 0.8), (routing.AnsweredBy, routing.Cost, routing.Alpha));
        Assert.All(chunks[..^1], c => Assert.Null(c.DiSRouter));
        // The successor decided nothing (it is the last agent) but was prompted with α as agent-1 chose it from the body.
        Assert.Contains(ScenarioPrompt.For(Scenario.FromAlpha(0.8), ScenarioPromptStyle.Full), model2.Calls.Single().Prompt.System);
    }

    [Fact]
    public async Task AnsweringModelThatBreaksMidStreamEndsTheRelayedStreamWithAnErrorEvent()
    {
        var model2 = new ScriptedBackend("nano-2", (p, _, _) => Continue(p)) { FailAfterTokens = 10 };
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.6), model2);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", agent2))),
            ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));

        var (events, _, _) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true"));

        Assert.DoesNotContain("[DONE]", events);
        var error = Chunks(events)[^1].Error;
        Assert.NotNull(error);
        Assert.Contains("broke after 10 tokens", error.Message);
        Assert.Equal("agent-2", error.Agent);
        Assert.Equal(Answer[..(Prefix.Length + 10)], Text(events)); // what was sent before the failure, and nothing after
    }

    [Fact]
    public async Task SuccessorThatDiesMidStreamGivesTheErrorEventNamingIt()
    {
        await using var dying = await DyingSuccessor.StartAsync();
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, [dying.Url]), ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));

        var (events, _, _) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true"));

        Assert.DoesNotContain("[DONE]", events);
        var error = Chunks(events)[^1].Error;
        Assert.True(error is not null, string.Join("\n", events));
        Assert.Equal(dying.Url, error.Agent);
        Assert.Contains("failed after it began to answer", error.Message);
        Assert.Equal("Let's think", Text(events));
        // The hops so far ride on the error event: agent-1's rejection with its tokens, the dead successor's failure.
        var path = Chunks(events)[^1].DiSRouter!.Path;
        Assert.Equal([HopDecision.Reject, HopDecision.Failed], path.Select(h => h.Decision));
        Assert.True(path[0].PromptTokens > 0, "the rejecting hop's prompt tokens are missing");
        Assert.Null(path[1].PromptTokens);
    }

    [Fact]
    public async Task ErrorEventCarriesTheHopsSoFarWithTheirTokensAndChargesNothing()
    {
        var model2 = new ScriptedBackend("nano-2", (p, _, _) => Continue(p)) { FailAfterTokens = 10 };
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.6), model2);
        var model1 = ScriptedBackend.Rejecting("nano-1", _ => true, "unused");
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", agent2))), model1);

        var (events, _, _) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true,\"alpha\":0.3"));

        var last = Chunks(events)[^1];
        Assert.NotNull(last.Error);
        var routing = last.DiSRouter;
        Assert.True(routing is not null, "the error event carries no routing metadata: " + events[^1]);
        Assert.Equal(["agent-1", "agent-2"], routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Failed], routing.Path.Select(h => h.Decision));
        var reject = routing.Path[0];
        Assert.True(reject.PromptTokens > 0 && reject.CompletionTokens > 0, $"the rejecting hop's tokens: {reject.PromptTokens}, {reject.CompletionTokens}");
        Assert.Contains("broke after 10 tokens", routing.Path[1].Error);
        Assert.Null(routing.AnsweredBy);
        Assert.Equal((0.0, 0.3), (routing.Cost, routing.Alpha));
        Assert.Equal(reject.PromptTokens, last.Usage!.PromptTokens);
    }

    [Fact]
    public async Task SuccessorThatFallsSilentMidStreamEndsTheStreamWithTheErrorEventAfterTheIdleTimeout()
    {
        await using var silent = await DyingSuccessor.StartAsync(hang: true);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, [silent.Url], [new("Agent:StreamIdleTimeoutSeconds", "1")]),
            ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));

        var clock = Stopwatch.StartNew();
        var (events, _, _) = await StreamAsync(sut, Http.Chat("q", "\"stream\":true"));

        Assert.DoesNotContain("[DONE]", events);
        var last = Chunks(events)[^1];
        Assert.True(last.Error is not null, string.Join("\n", events));
        Assert.Equal(silent.Url, last.Error.Agent);
        Assert.Equal("Let's think", Text(events));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TestTimeouts.Request);
    }

    [Fact]
    public async Task WholeRequestWhoseAnswerBreaksIsA502NotHalfAnAnswer()
    {
        var model2 = new ScriptedBackend("nano-2", (p, _, _) => Continue(p)) { FailAfterTokens = 10 };
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.6), model2);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", agent2))),
            ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.True(HttpStatusCode.BadGateway == reply.Status, reply.Body);
        Assert.Contains("broke after 10 tokens", reply.ProblemDetail);
    }

    [Fact]
    public async Task OpenAIClientRaisesOnTheErrorEvent()
    {
        var model2 = new ScriptedBackend("nano-2", (p, _, _) => Continue(p)) { FailAfterTokens = 10 };
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.6), model2);
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", agent2))),
            ScriptedBackend.Rejecting("nano-1", _ => true, "unused"));
        var client = new ChatClient("disrouter", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(sut.BaseAddress, "v1") });

        var received = new StringBuilder();
        var raised = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("q")]).WithCancellation(new CancellationTokenSource(TestTimeouts.Request).Token))
                foreach (var part in update.ContentUpdate) received.Append(part.Text);
        });

        // The SDK surfaces the broken stream (the agent closes it without [DONE]); it never ends as if complete.
        Assert.NotNull(raised);
        Assert.Equal(Answer[..(Prefix.Length + 10)], received.ToString());
    }

    private static async Task<(List<string> Events, TimeSpan FirstText, TimeSpan Total)> StreamAsync(AgentHost agent, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var sw = Stopwatch.StartNew();
        using var response = await agent.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        TimeSpan? firstText = null;
        try
        {
            while (await reader.ReadLineAsync().WaitAsync(TestTimeouts.Request) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                events.Add(line[6..]);
                if (firstText is null && line[6..] != "[DONE]" && Chunk(line[6..]).Choices.FirstOrDefault()?.Delta.Content is { Length: > 0 })
                    firstText = sw.Elapsed;
            }
        }
        catch (IOException)
        {
            // A stream cut after its error event: what arrived is checked by the caller.
        }
        return (events, firstText ?? sw.Elapsed, sw.Elapsed);
    }

    private static ChatCompletionChunk Chunk(string json) => JsonSerializer.Deserialize<ChatCompletionChunk>(json)!;

    private static List<ChatCompletionChunk> Chunks(List<string> events) => events.Where(e => e != "[DONE]").Select(Chunk).ToList();

    private static string Text(List<string> events) => string.Concat(Chunks(events).SelectMany(c => c.Choices).Select(c => c.Delta.Content));

    /// <summary>A successor that commits, streams two words, and drops the connection: an agent killed mid-answer.</summary>
    private sealed class DyingSuccessor : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private DyingSuccessor(WebApplication app) => _app = app;

        public string Url => _app.Urls.First();

        /// <param name="hang">Stay silent after the first words, connection open (a stopped process), instead of dying.</param>
        public static async Task<DyingSuccessor> StartAsync(bool hang = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapPost("/v1/chat/completions", async (HttpContext http) =>
            {
                http.Response.ContentType = "text/event-stream";
                foreach (var word in (string[])["Let's", " think"])
                {
                    var chunk = new ChatCompletionChunk { Id = "x", Model = "nano-x", Choices = [new ChunkChoice { Delta = new ChunkDelta { Content = word } }] };
                    await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n");
                    await http.Response.Body.FlushAsync();
                }
                if (hang) await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                await Task.Delay(50);
                http.Abort();
            });
            await app.StartAsync().WaitAsync(TestTimeouts.Request);
            return new DyingSuccessor(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().WaitAsync(TestTimeouts.Request);
            await _app.DisposeAsync();
        }
    }
}
