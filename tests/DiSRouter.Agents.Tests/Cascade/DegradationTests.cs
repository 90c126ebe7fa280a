using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DiSRouter.Agents.Tests.Apis;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiSRouter.Agents.Tests.Cascade;

/// <summary>
/// An answer the cascade could not give as designed says so before its body (X-DiSRouter-Degraded) and in its routing
/// metadata ("degraded"), streamed or whole: a skipped successor, and an agent answering after rejecting because no
/// successor was reachable. A successor that hangs is skipped once the forward timeout passes.
/// </summary>
public sealed class DegradationTests
{
    private static ScriptedBackend AlwaysRejects(string model) =>
        ScriptedBackend.Rejecting(model, _ => true, " fallback answer. The final answer is: 0.");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SkippedSuccessorMarksTheAnswerDegraded(bool stream)
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", Http.DeadUrl()), .. CascadeNetwork.Discovery(("agent-3", last))]), AlwaysRejects("nano-1"));

        var (status, header, metadata) = await PostAsync(sut, stream);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("skipped agent-2", header);
        Assert.Equal("skipped agent-2", metadata.Degraded);
        Assert.Equal("agent-3", metadata.AnsweredBy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AgentAnsweringAfterItsSuccessorsAreDownMarksTheAnswerDegraded(bool stream)
    {
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-4", 0.6, ["agent-5"],
            [new("services:agent-5:http:0", Http.DeadUrl())]), AlwaysRejects("nano-4"));

        var (status, header, metadata) = await PostAsync(sut, stream);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("agent-4 answered after rejecting: no successor reachable (agent-5)", header);
        Assert.Equal(header, metadata.Degraded);
    }

    [Fact]
    public async Task DegradationFurtherDownTheCascadeReachesTheClientThroughEveryHop()
    {
        await using var third = AgentHost.Start(AgentHost.Settings("agent-3", 0.6, ["agent-4"],
            [new("services:agent-4:http:0", Http.DeadUrl())]), AlwaysRejects("nano-3"));
        await using var first = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", Http.DeadUrl()), .. CascadeNetwork.Discovery(("agent-3", third))]), AlwaysRejects("nano-1"));

        var (status, header, metadata) = await PostAsync(first, stream: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("skipped agent-2; agent-3 answered after rejecting: no successor reachable (agent-4)", header);
        Assert.Equal(header, metadata.Degraded);
    }

    [Fact]
    public async Task CascadeAsDesignedIsNotMarked()
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-2", 0.9), ScriptedBackend.Answering("nano-2", " two."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"], CascadeNetwork.Discovery(("agent-2", last))),
            AlwaysRejects("nano-1"));

        var (status, header, metadata) = await PostAsync(sut, stream: false);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(header);
        Assert.Null(metadata.Degraded);
    }

    [Fact]
    public async Task HangingSuccessorIsSkippedOnceTheForwardTimeoutPasses()
    {
        await using var hanging = await HangingServer.StartAsync();
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", hanging.Url), new("Agent:ForwardTimeoutSeconds", "1"), .. CascadeNetwork.Discovery(("agent-3", last))]),
            AlwaysRejects("nano-1"));

        var clock = Stopwatch.StartNew();
        var (status, header, metadata) = await PostAsync(sut, stream: false);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("skipped agent-2", header);
        Assert.Equal("no answer within 1 s", metadata.Path[1].Error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task HungSuccessorCostsOnlyTheFirstRequestItsTimeoutThenIsSkippedWithoutACall()
    {
        var calls = 0;
        await using var hanging = await OneRouteServer.StartAsync(http =>
        {
            Interlocked.Increment(ref calls);
            return Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        // agent-2's own timeout (1 s) set per successor, under a default that would not end within the test
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", hanging.Url), new("Agent:ForwardTimeoutSeconds", "600"), new("Agent:SuccessorTimeouts:agent-2", "1"),
                new("Agent:SuccessorBreakSeconds", "600"), .. CascadeNetwork.Discovery(("agent-3", last))]),
            AlwaysRejects("nano-1"));

        var first = Stopwatch.StartNew();
        var (status1, header1, metadata1) = await PostAsync(sut, stream: false);
        first.Stop();
        var second = Stopwatch.StartNew();
        var (status2, header2, metadata2) = await PostAsync(sut, stream: true);
        second.Stop();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status1, status2));
        Assert.Equal(("skipped agent-2", "skipped agent-2"), (header1, header2));
        Assert.Equal("no answer within 1 s", metadata1.Path[1].Error);
        Assert.InRange(first.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.StartsWith("skipped without a call", metadata2.Path[1].Error);
        Assert.Equal(1, calls); // the second request never waited for it (its time, for the record: in the message below)
        Assert.True(second.Elapsed < TestTimeouts.Request, $"second request: {second.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task HungAgentTwoHopsDownIsGivenUpByItsCallerWithinTheCommitBudgetNotByBothAtOnce()
    {
        await using var hanging = await HangingServer.StartAsync();
        await using var last = AgentHost.Start(AgentHost.Settings("agent-4", 0.9), ScriptedBackend.Answering("nano-4", " four."));
        // agent-2's own timeouts would wait 600 s for agent-3: the 10 s that agent-1 waits for agent-2 is what bounds it
        await using var agent2 = AgentHost.Start(AgentHost.Settings("agent-2", 0.3, ["agent-3", "agent-4"],
            [new("services:agent-3:http:0", hanging.Url), new("Agent:ForwardTimeoutSeconds", "600"), .. CascadeNetwork.Discovery(("agent-4", last))]),
            AlwaysRejects("nano-2"));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2"],
            [new("Agent:SuccessorTimeouts:agent-2", "10"), .. CascadeNetwork.Discovery(("agent-2", agent2))]), AlwaysRejects("nano-1"));

        var clock = Stopwatch.StartNew();
        var (status, header, metadata) = await PostAsync(sut, stream: false);

        // agent-2 gave up on agent-3 after 80 % of its 10 s and asked agent-4: agent-1 never had to skip the healthy agent-2
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True("skipped agent-3" == header, $"{header}: {string.Join(" → ", metadata.Path.Select(h => $"{h.Agent} {h.Decision} {h.Error}"))}");
        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-4"], metadata.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Reject, HopDecision.Unreachable, HopDecision.Answer], metadata.Path.Select(h => h.Decision));
        Assert.Matches(@"^no answer within [678](\.\d)? s$", metadata.Path[2].Error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task WholeAnswerWhoseRelayBreaksIsAskedForAgainAndSkipsTheBrokenAgent()
    {
        // agent-2 commits and dies mid-stream the first time, then is down: the client of a whole answer sees neither
        var calls = 0;
        await using var broken = await OneRouteServer.StartAsync(async http =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let's\"}}]}\n\n");
            await http.Response.Body.FlushAsync();
            await Task.Delay(50);
            http.Abort();
        });
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", broken.Url), .. CascadeNetwork.Discovery(("agent-3", last))]), AlwaysRejects("nano-1"));

        var (status, header, metadata) = await PostAsync(sut, stream: false);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, calls);
        Assert.Equal("skipped agent-2", header);
        Assert.Equal("agent-3", metadata.AnsweredBy);
    }

    private static async Task<(HttpStatusCode Status, string? Header, RoutingMetadata Metadata)> PostAsync(AgentHost agent, bool stream)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(Http.Chat("q", stream ? "\"stream\":true" : ""), Encoding.UTF8, "application/json"),
        };
        using var response = await agent.Client.SendAsync(message).WaitAsync(TestTimeouts.Request);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);
        var header = response.Headers.TryGetValues(RoutingHeaders.Degraded, out var values) ? string.Join("; ", values) : null;
        var metadata = stream
            ? JsonSerializer.Deserialize<ChatCompletionChunk>(body.Split('\n').Where(l => l.StartsWith("data: {")).Last()["data: ".Length..])!.DiSRouter
            : JsonSerializer.Deserialize<ChatCompletionResponse>(body)!.DiSRouter;
        return (response.StatusCode, header, metadata ?? throw new InvalidOperationException("no routing metadata: " + body));
    }

    /// <summary>Accepts requests and never answers them, as an agent stuck in its model would.</summary>
    private static class HangingServer
    {
        public static Task<OneRouteServer> StartAsync() =>
            OneRouteServer.StartAsync(http => Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
    }

    /// <summary>A Kestrel server on 127.0.0.1 answering every request with one handler; stopping it ends open requests.</summary>
    private sealed class OneRouteServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OneRouteServer(RequestDelegate handler)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
            _app = builder.Build();
            _app.Run(handler);
        }

        public string Url => _app.Urls.First();

        public static async Task<OneRouteServer> StartAsync(RequestDelegate handler)
        {
            var server = new OneRouteServer(handler);
            await server._app.StartAsync().WaitAsync(TestTimeouts.Request);
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().WaitAsync(TestTimeouts.Request);
            await _app.DisposeAsync();
        }
    }
}
