using System.Net;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Tests.Apis;

public sealed class CascadeApiTests(CascadeNetwork network) : IClassFixture<CascadeNetwork>
{
    private static string Marker() => "q-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RejectingAgentForwardsToNextAgentAndPrependsItsHop()
    {
        var marker = Marker();

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #hard: what is 6 x 7?"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(CascadeNetwork.Agent2Answer, sut.Content);
        Assert.Equal("nano-2", sut.Completion.Model);
        var routing = sut.Routing;
        Assert.Equal(["agent-1", "agent-2"], routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Answer], routing.Path.Select(h => h.Decision));
        Assert.Equal("agent-2", routing.AnsweredBy);
        Assert.Empty(network.Model3.CallsFor(marker));
    }

    [Fact]
    public async Task AgentRoutedByTheGatewayAnswersWithoutDeciding()
    {
        var marker = Marker();

        // agent-1 would reject this query; chosen by a central router it answers, with the prompt the last agent gets.
        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #hard: what is 6 x 7?"),
            (RoutingHeaders.HopCount, "0"), (RoutingHeaders.Alpha, "0.5"), (RoutingHeaders.RoutedBy, "self-route"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        var hop = Assert.Single(sut.Routing.Path);
        Assert.Equal(("agent-1", HopDecision.Answer), (hop.Agent, hop.Decision));
        Assert.Equal("agent-1", sut.Routing.AnsweredBy);
        Assert.StartsWith(AgentPrompts.AnswerPrefix, sut.Content);
        Assert.Empty(network.Model2.CallsFor(marker));
    }

    [Theory]
    [InlineData("1")]
    [InlineData(null)]
    public async Task RoutedByIsRefusedUnlessItComesFromTheGatewayAtHopZero(string? hops)
    {
        (string, string)[] headers = hops is null
            ? [(RoutingHeaders.RoutedBy, "self-route")]
            : [(RoutingHeaders.HopCount, hops), (RoutingHeaders.Alpha, "0.5"), (RoutingHeaders.RoutedBy, "self-route")];

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{Marker()} #hard"), headers);

        Assert.Equal(HttpStatusCode.BadRequest, sut.Status);
        Assert.Contains("accepted only from the gateway", sut.ProblemDetail);
    }

    [Fact]
    public async Task RejectionStopsTheModelAtItsFirstToken()
    {
        var marker = Marker();

        await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #hard"));

        var call = Assert.Single(network.Model1.CallsFor(marker));
        var sample = Assert.Single(call.Samples);
        // A protocol-trained backend's first character is its decision: "I" is not followed by the other eleven.
        Assert.Equal("I", sample.Text);
        Assert.Equal("aborted", sample.FinishReason);
        Assert.Equal(1, sample.CompletionTokens);
    }

    [Fact]
    public async Task RejectionTravelsTheCascadeToTheLastAgentWhichAlwaysAnswers()
    {
        var marker = Marker();

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #harder"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(AgentPrompts.AnswerPrefix + CascadeNetwork.Agent3Continuation, sut.Content);
        Assert.Equal(["agent-1", "agent-2", "agent-3"], sut.Routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Reject, HopDecision.Reject, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal("agent-3", sut.Routing.AnsweredBy);
        Assert.Equal(1.0, sut.Routing.Cost);
    }

    [Fact]
    public async Task AnsweringAgentDoesNotForward()
    {
        var marker = Marker();

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} easy"));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(CascadeNetwork.Agent1Answer, sut.Content);
        var hop = Assert.Single(sut.Routing.Path);
        Assert.Equal(("agent-1", "nano-1", HopDecision.Answer, 0.1), (hop.Agent, hop.Model, hop.Decision, hop.Cost));
        Assert.Empty(network.Model2.CallsFor(marker));
        Assert.Empty(network.Model3.CallsFor(marker));
    }

    [Fact]
    public async Task LastAgentAnswersWithoutTheOptionToReject()
    {
        var marker = Marker();

        var sut = await network.Agent3.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} anything", "\"scenario\":\"cost-first\""));

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.StartsWith(AgentPrompts.AnswerPrefix, sut.Content);
        var call = Assert.Single(network.Model3.CallsFor(marker));
        Assert.Equal(AgentPrompts.AnswerPrefix, call.Prompt.AssistantPrefix);
        Assert.Equal(ScenarioPrompt.CostFirstText, call.Prompt.System);
        Assert.Equal("agent-3", sut.Routing.AnsweredBy);
    }

    [Fact]
    public async Task MetadataChargesTheAnsweringAgentsCostAndTimesEveryHop()
    {
        var marker = Marker();

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #hard"));

        var routing = sut.Routing;
        Assert.Equal(0.4, routing.Cost);
        Assert.Equal([0.1, 0.4], routing.Path.Select(h => h.Cost));
        Assert.Equal(["nano-1", "nano-2"], routing.Path.Select(h => h.Model));
        Assert.All(routing.Path, h => Assert.InRange(h.ModelMs, 0, h.LatencyMs));
        Assert.True(routing.LatencyMs >= routing.Path.Sum(h => h.LatencyMs) - 0.01,
            $"total {routing.LatencyMs} ms is less than the hops' {routing.Path.Sum(h => h.LatencyMs)} ms");
        Assert.Equal(0.5, routing.Alpha);
        Assert.Equal("balance", routing.Scenario);
        // Usage counts both model calls: agent-1's rejection and agent-2's answer.
        var usage = sut.Completion.Usage!;
        var rejected = Assert.Single(network.Model1.CallsFor(marker)).Samples[0].CompletionTokens;
        var answered = Assert.Single(network.Model2.CallsFor(marker)).Samples[0].CompletionTokens;
        Assert.Equal(rejected + answered, usage.CompletionTokens);
        Assert.Equal(usage.PromptTokens + usage.CompletionTokens, usage.TotalTokens);
        // Each hop says what its own model call read and wrote, so a rejection's time can be read beside its prompt.
        Assert.Equal([rejected, answered], routing.Path.Select(h => h.CompletionTokens));
        Assert.Equal(usage.PromptTokens, routing.Path.Sum(h => h.PromptTokens));
        Assert.All(routing.Path, h => Assert.True(h.PromptTokens > marker.Length, $"{h.Agent} read {h.PromptTokens} prompt tokens"));
    }

    [Fact]
    public async Task SuccessorsUseTheSameAlphaAsTheFirstAgent()
    {
        var marker = Marker();

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} #hard", "\"alpha\":0.35"),
            (RoutingHeaders.Scenario, "cost-first"));

        Assert.Equal(0.35, sut.Routing.Alpha);
        var expected = ScenarioPrompt.For(Scenario.FromAlpha(0.35));
        Assert.Equal(expected, Assert.Single(network.Model1.CallsFor(marker)).Prompt.System);
        Assert.Equal(expected, Assert.Single(network.Model2.CallsFor(marker)).Prompt.System);
    }

    [Theory]
    [InlineData("", new string[0], 0.5, "balance")]
    [InlineData("\"alpha\":0.2", new string[0], 0.2, "performance-first")]
    [InlineData("\"alpha\":0.35", new string[0], 0.35, "alpha-0.35")]
    [InlineData("\"alpha\":0", new[] { "X-DiSRouter-Alpha", "0.9" }, 0.0, "alpha-0")]
    [InlineData("\"scenario\":\"cost-first\"", new string[0], 0.8, "cost-first")]
    [InlineData("\"scenario\":\"Performance First\"", new string[0], 0.2, "performance-first")]
    [InlineData("\"alpha\":0.8,\"scenario\":\"performance-first\"", new string[0], 0.8, "cost-first")]
    [InlineData("", new[] { "X-DiSRouter-Alpha", "0.2" }, 0.2, "performance-first")]
    [InlineData("", new[] { "X-DiSRouter-Alpha", "1" }, 1.0, "alpha-1")]
    [InlineData("", new[] { "X-DiSRouter-Scenario", "cost_first" }, 0.8, "cost-first")]
    [InlineData("\"model\":\"disrouter-performance-first\"", new string[0], 0.2, "performance-first")]
    public async Task AlphaIsReadFromBodyHeadersAndScenarioNames(string fields, string[] header, double alpha, string scenario)
    {
        var marker = Marker();
        var headers = header.Length == 0 ? [] : new[] { (header[0], header[1]) };

        var sut = await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", Http.Chat($"{marker} easy", fields), headers);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(alpha, sut.Routing.Alpha, 9);
        Assert.Equal(scenario, sut.Routing.Scenario);
        Assert.Equal(ScenarioPrompt.For(Scenario.FromAlpha(alpha)), Assert.Single(network.Model1.CallsFor(marker)).Prompt.System);
    }

    [Fact]
    public async Task ClientSystemMessageFollowsTheScenarioInstruction()
    {
        var marker = Marker();
        var body = $$"""{"messages":[{"role":"system","content":"Answer in French."},{"role":"user","content":"{{marker}}"}]}""";

        await network.Agent1.Client.PostJsonAsync("/v1/chat/completions", body);

        Assert.Equal(ScenarioPrompt.BalanceText + "\n\nAnswer in French.", Assert.Single(network.Model1.CallsFor(marker)).Prompt.System);
    }
}
