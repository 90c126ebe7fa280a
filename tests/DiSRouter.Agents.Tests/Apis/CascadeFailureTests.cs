using System.Net;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>Successors that are down, failing, unconfigured or looping.</summary>
public sealed class CascadeFailureTests
{
    private static ScriptedBackend AlwaysRejects(string model) =>
        ScriptedBackend.Rejecting(model, _ => true, " fallback answer. The final answer is: 0.");

    [Fact]
    public async Task UnreachableSuccessorIsSkippedToTheNextOne()
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        var dead = Http.DeadUrl();
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", dead), .. CascadeNetwork.Discovery(("agent-3", last))]), AlwaysRejects("nano-1"));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["agent-1", "agent-2", "agent-3"], reply.Routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Unreachable, HopDecision.Answer], reply.Routing.Path.Select(h => h.Decision));
        Assert.False(string.IsNullOrEmpty(reply.Routing.Path[1].Error));
        Assert.Equal("agent-3", reply.Routing.AnsweredBy);
        Assert.Equal(0.9, reply.Routing.Cost);
    }

    [Fact]
    public async Task FailingSuccessorCountsAsUnreachable()
    {
        var broken = ScriptedBackend.Answering("nano-2", "never");
        broken.Failure = new InvalidOperationException("the model crashed");
        await using var failing = AgentHost.Start(AgentHost.Settings("agent-2", 0.5), broken);
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            CascadeNetwork.Discovery(("agent-2", failing), ("agent-3", last))), AlwaysRejects("nano-1"));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.True(HttpStatusCode.OK == reply.Status, reply.Body);
        var skipped = reply.Routing.Path[1];
        Assert.Equal(("agent-2", HopDecision.Unreachable, "HTTP 500"), (skipped.Agent, skipped.Decision, skipped.Error));
        Assert.Equal("agent-3", reply.Routing.AnsweredBy);
    }

    [Fact]
    public async Task SuccessorWithoutAnAddressIsUnreachableWithTheMissingKeyNamed()
    {
        await using var last = AgentHost.Start(AgentHost.Settings("agent-3", 0.9), ScriptedBackend.Answering("nano-3", " three."));
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            CascadeNetwork.Discovery(("agent-3", last))), AlwaysRejects("nano-1"));

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.Equal(HopDecision.Unreachable, reply.Routing.Path[1].Decision);
        Assert.Contains("services:agent-2:http:0", reply.Routing.Path[1].Error);
    }

    [Fact]
    public async Task AgentAnswersItselfWhenEverySuccessorIsUnreachable()
    {
        var model = AlwaysRejects("nano-1");
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1, ["agent-2", "agent-3"],
            [new("services:agent-2:http:0", Http.DeadUrl()), new("services:agent-3:http:0", Http.DeadUrl())]), model);

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-1"], reply.Routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Unreachable, HopDecision.Unreachable, HopDecision.Answer],
            reply.Routing.Path.Select(h => h.Decision));
        Assert.Equal(CascadeAgent.FallbackNote, reply.Routing.Path[^1].Error);
        Assert.Equal("agent-1", reply.Routing.AnsweredBy);
        Assert.Equal(0.1, reply.Routing.Cost);
        // The second generation cannot start with a rejection: it is started with the answer template.
        Assert.Equal(AgentPrompts.AnswerPrefix + " fallback answer. The final answer is: 0.", reply.Content);
        Assert.Equal([null, AgentPrompts.AnswerPrefix], model.Calls.Select(c => c.Prompt.AssistantPrefix));
    }

    [Fact]
    public async Task HopCounterStopsALoopWith508()
    {
        var model = AlwaysRejects("nano-loop");
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-loop", 0.1, ["itself"]), model);
        // The loop is closed after start, when the agent's own address is known.
        sut.Services.GetRequiredService<IConfiguration>()["services:itself:http:0"] = sut.BaseAddress.ToString();

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"));

        Assert.Equal(HttpStatusCode.LoopDetected, reply.Status);
        Assert.Contains("loop", reply.ProblemDetail);
        Assert.Equal(RoutingHeaders.MaxHops, model.Calls.Count);
    }

    [Fact]
    public async Task RequestThatAlreadyPassedTheHopLimitIsRefusedBeforeTheModelRuns()
    {
        var model = AlwaysRejects("nano-1");
        await using var sut = AgentHost.Start(AgentHost.Settings("agent-1", 0.1), model);

        var reply = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"), (RoutingHeaders.HopCount, RoutingHeaders.MaxHops.ToString()));
        var below = await sut.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"), (RoutingHeaders.HopCount, (RoutingHeaders.MaxHops - 1).ToString()));

        Assert.Equal(HttpStatusCode.LoopDetected, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(HttpStatusCode.OK, below.Status);
        Assert.Single(model.Calls);
    }
}
