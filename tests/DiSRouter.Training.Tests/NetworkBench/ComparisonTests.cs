using System.Text.Json;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Training.NetworkBench;

namespace DiSRouter.Training.Tests.NetworkBench;

/// <summary>The comparison's figures (cascade, Self-Route, the largest agent alone) on hand-made answers whose grades are known.</summary>
public sealed class ComparisonTests
{
    private static readonly IReadOnlyList<string> Agents = ["agent-1", "agent-2", "agent-3"];

    // One question of each grader: numeric, multiple choice, free text.
    private static readonly IReadOnlyList<TaskItem> Items =
    [
        new("q0", "arithmetic", TaskDomain.InDomain, 1, "What is 2 + 3?", null, "5", "2 + 3 = 5"),
        new("q1", "facts", TaskDomain.InDomain, 2, "Which town lies on the river?", ["Telsk", "Brom"], "B", ""),
        new("q2", "facts", TaskDomain.InDomain, 3, "What is the capital of Vorn?", null, "Telsk", ""),
    ];

    private static BenchSample Answer(int question, double clientMs, string agent, double cost, string text, double? routerMs = null) =>
        new(200, clientMs, new RoutingMetadata
        {
            AnsweredBy = agent,
            Cost = cost,
            Path = [new Hop { Agent = agent, Decision = HopDecision.Answer, Cost = cost }],
            Router = routerMs is { } ms ? new RouterMetadata { Mode = "self-route", Chosen = agent, ForwardedTo = agent, RouterMs = ms } : null,
        }) { Answer = text, Question = question };

    // Self-Route at α = 0.5: four answered (two right, one wrong option, one "I don't know"), one refused.
    private static readonly List<BenchSample> SelfRouted =
    [
        Answer(0, 10, "agent-1", 0.1, "Let's think step by step: 2 + 3 = 5. The final answer is: 5.", routerMs: 0.2),
        Answer(1, 30, "agent-3", 0.4, "Let's think step by step: it is the first. The final answer is: A.", routerMs: 0.4),
        Answer(2, 20, "agent-3", 0.4, "Let's think step by step: Vorn's capital. The final answer is: The Telsk.", routerMs: 0.3),
        new(503, 2, null, "no agent is up") { Question = 0 },
        Answer(0, 12, "agent-1", 0.1, "I don't know!", routerMs: 0.1),
    ];

    [Fact]
    public void SelfRouteFiguresAreTheGradedAnswersTheirCostTheRoutersTimeAndWhoAnswered()
    {
        var sut = Comparison.Of(0.5, Comparison.SelfRoute, SelfRouted, Items, Agents);

        Assert.Equal((5, 4, 2), (sut.Sent, sut.Succeeded, sut.Correct));
        Assert.Equal("HTTP 503: no agent is up", sut.FirstError);
        Assert.Equal(0.5, sut.Accuracy!.Value, 9);                 // 2 of the 4 answered
        Assert.Equal(0.25, sut.MeanCost!.Value, 9);                // (0.1 + 0.4 + 0.4 + 0.1) / 4
        Assert.Equal(0.5 - 0.5 * 0.25, sut.Utility!.Value, 9);     // accuracy − α · cost
        Assert.Equal(new Distribution(4, 12, 30), sut.Client);    // nearest rank of 10, 12, 20, 30; the refusal left out
        Assert.Equal(new Distribution(4, 0.2, 0.4), sut.RouterMs);
        Assert.Equal(
            [new AnswerCount("agent-1", 2, 0.5), new AnswerCount("agent-2", 0, 0), new AnswerCount("agent-3", 2, 0.5)],
            sut.AnsweredBy);
        Assert.Null(sut.Off);
    }

    [Fact]
    public void TheCascadeHasNoRouterTimeAndAnAgentOutsideTheListIsAppended()
    {
        List<BenchSample> cascade =
        [
            Answer(0, 8, "agent-1", 0.1, "The final answer is: 5."),
            Answer(2, 40, "agent-9", 0.9, "The final answer is: Brom."),
        ];

        var sut = Comparison.Of(0.2, Comparison.Cascade, cascade, Items, Agents);

        Assert.Null(sut.RouterMs);
        Assert.Null(sut.FirstError);
        Assert.Equal(0.5, sut.Accuracy!.Value, 9);
        Assert.Equal(0.5 - 0.2 * 0.5, sut.Utility!.Value, 9);
        Assert.Equal(["agent-1", "agent-2", "agent-3", "agent-9"], sut.AnsweredBy.Select(a => a.Agent));
        Assert.Equal([1, 0, 0, 1], sut.AnsweredBy.Select(a => a.Answers));
    }

    [Fact]
    public void AMethodWithNoAnswerHasNoAccuracyCostOrUtility()
    {
        var sut = Comparison.Of(0.8, Comparison.SelfRoute, [new BenchSample(503, 1, null, "off")], Items, Agents);

        Assert.Equal((1, 0), (sut.Sent, sut.Succeeded));
        Assert.Null(sut.Accuracy);
        Assert.Null(sut.MeanCost);
        Assert.Null(sut.Utility);
        Assert.Null(sut.Client);
    }

    private static IReadOnlyList<MethodFigures> Rows(bool selfRouteOff) =>
    [
        Comparison.Of(0.5, Comparison.Cascade, [Answer(0, 10, "agent-1", 0.1, "The final answer is: 5."), Answer(1, 30, "agent-2", 0.2, "The final answer is: B.")], Items, Agents),
        selfRouteOff
            ? MethodFigures.Unavailable(0.5, Comparison.SelfRoute, "the gateway answered disrouter-self-route-balance with HTTP 503: no router file")
            : Comparison.Of(0.5, Comparison.SelfRoute, SelfRouted, Items, Agents),
        Comparison.Of(0.5, Comparison.Alone("agent-3"), [Answer(0, 40, "agent-3", 0.4, "The final answer is: 5."), Answer(1, 40, "agent-3", 0.4, "The final answer is: A.")], Items, Agents),
    ];

    [Fact]
    public void TheTableHasASelfRouteRowBesideTheCascadeAndTheLargestAgentAlone()
    {
        var sut = Comparison.Markdown(Rows(selfRouteOff: false), "agent-3");

        Assert.Contains("### Cascade, the gateway's router modes and agent-3 alone", sut);
        // p50 ratios to agent-3 alone's 40 ms: the cascade's 10 ms (nearest rank of 10, 30), Self-Route's 12 ms.
        Assert.Contains("| 0.5 | cascade | 2/2 | 1.000 | 0.150 | 0.925 | 10.0 / 30.0 | 0.25 | - |", sut);
        Assert.Contains("| 0.5 | self-route | 4/5 | 0.500 | 0.250 | 0.375 | 12.0 / 30.0 | 0.30 | 0.200 / 0.400 |", sut);
        Assert.Contains("| 0.5 | agent-3 alone | 2/2 | 0.500 | 0.400 | 0.300 | 40.0 / 40.0 | 1.00 | - |", sut);
        Assert.Contains("| α | method | agent-1 | agent-2 | agent-3 |", sut);
        Assert.Contains("| 0.5 | self-route | 50 % | - | 50 % |", sut);
        Assert.Contains("| 0.5 | cascade | 50 % | 50 % | - |", sut);
        Assert.Contains("self-route at α = 0.5: 1 failed, first: HTTP 503: no agent is up", sut);
        Assert.DoesNotContain("is off", sut);
    }

    [Fact]
    public void WhenSelfRouteIsOffTheTableSaysWhyInsteadOfPrintingZeros()
    {
        var sut = Comparison.Markdown(Rows(selfRouteOff: true), "agent-3");

        Assert.Contains("self-route is off on this network, so it has no figures: the gateway answered disrouter-self-route-balance with HTTP 503: no router file", sut);
        Assert.Contains("| 0.5 | self-route | off | - | - | - | - | - | - |", sut);
        Assert.DoesNotContain("| 0.5 | self-route | 0", sut);
    }

    [Fact]
    public void EveryMethodAndAlphaIsOneJsonLineAndAnOffMethodCarriesOnlyItsReason()
    {
        var on = Comparison.JsonLines(Rows(selfRouteOff: false)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var off = Comparison.JsonLines(Rows(selfRouteOff: true)).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(["cascade", "self-route", "agent-3 alone"], on.Select(l => l.GetProperty("method").GetString()));
        Assert.All(on, l => Assert.Equal("compared", l.GetProperty("figure").GetString()));
        var selfRoute = on[1];
        Assert.Equal(0.5, selfRoute.GetProperty("alpha").GetDouble());
        Assert.Equal(0.5, selfRoute.GetProperty("accuracy").GetDouble());
        Assert.Equal(0.25, selfRoute.GetProperty("mean_cost").GetDouble());
        Assert.Equal(0.375, selfRoute.GetProperty("utility").GetDouble());
        Assert.Equal(12, selfRoute.GetProperty("client_latency_ms").GetProperty("p50").GetDouble());
        Assert.Equal(0.4, selfRoute.GetProperty("router_ms").GetProperty("p99").GetDouble());
        Assert.Equal(0.5, selfRoute.GetProperty("answered_by").GetProperty("agent-3").GetProperty("share").GetDouble());
        Assert.Equal(JsonValueKind.Null, on[0].GetProperty("router_ms").GetProperty("p50").ValueKind);

        Assert.Equal("the gateway answered disrouter-self-route-balance with HTTP 503: no router file", off[1].GetProperty("off").GetString());
        Assert.False(off[1].TryGetProperty("accuracy", out _));
    }

    [Theory]
    [InlineData(Comparison.SelfRoute, 0.2, "disrouter-self-route-performance-first")]
    [InlineData(Comparison.SelfRoute, 0.5, "disrouter-self-route-balance")]
    [InlineData(Comparison.SelfRoute, 0.8, "disrouter-self-route-cost-first")]
    [InlineData(Comparison.SelfRoute, 0.35, "disrouter-self-route")]
    [InlineData(Comparison.Bids, 0.2, "disrouter-bids-performance-first")]
    [InlineData(Comparison.Bids, 0.5, "disrouter-bids-balance")]
    [InlineData(Comparison.Bids, 0.8, "disrouter-bids-cost-first")]
    [InlineData(Comparison.Bids, 0.35, "disrouter-bids")]
    [InlineData(Comparison.Auction, 0.2, "disrouter-auction-performance-first")]
    [InlineData(Comparison.Auction, 0.5, "disrouter-auction-balance")]
    [InlineData(Comparison.Auction, 0.8, "disrouter-auction-cost-first")]
    [InlineData(Comparison.Auction, 0.35, "disrouter-auction")]
    public void EachRouterModeAsksEachScenarioThroughItsOwnAlias(string method, double alpha, string alias)
    {
        var mode = Assert.Single(Training.NetworkBench.NetworkBench.RouterModes, m => m.Method == method);
        Assert.Equal(alias, mode.Alias(Scenario.FromAlpha(alpha)));
    }
}
