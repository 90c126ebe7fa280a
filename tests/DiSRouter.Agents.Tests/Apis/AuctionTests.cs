using System.Net;
using System.Text.Json;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// The auction rule over real loopback HTTP: agents bid cheapest first, an agent that cannot outbid the best bid hands
/// the query back without a prompt pass, the last agent hands it back to the winner, and the winner answers (answer-only,
/// as an agent a router chose); the metadata carries every hop's bid, the hand-backs and the winner.
/// Costs 0.1, 0.4, 1.0 throughout.
/// </summary>
public sealed class AuctionTests
{
    [Fact]
    public async Task CheapAgentWhoseBidWinsAnswersAfterItsSuccessorHandsBack()
    {
        // α 0.5: 0.7 − 0.05 = 0.65; bidder-2 could still reach 0.8 and bids 0.75 − 0.2 = 0.55; bidder-3 could reach only 0.5.
        await using var chain = AuctionChain.Start([(0.1, 0.7), (0.4, 0.75), (1.0, 0.99)]);

        var sut = await chain.AskAsync(0.5);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(AgentPrompts.AnswerPrefix + AuctionChain.Answer(1), sut.Content);
        var routing = sut.Routing;
        Assert.Equal(("bidder-1", 0.1), (routing.AnsweredBy, routing.Cost));
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3", "bidder-1"], routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Bid, HopDecision.Bid, HopDecision.HandBack, HopDecision.Answer], routing.Path.Select(h => h.Decision));
        Assert.Equal([0.7, 0.75, null, null], routing.Path.Select(h => h.PRight));
        Assert.Equal(0.65, routing.Path[0].Utility!.Value, 6);
        Assert.Equal(0.55, routing.Path[1].Utility!.Value, 6);
        // The winner answers once, with the answer-only prompt; no one else generates.
        Assert.Equal([1, 0, 0], [chain.Answers(1), chain.Answers(2), chain.Answers(3)]);
        Assert.Equal(AgentPrompts.AnswerPrefix, Assert.Single(chain.Models[0].Model.Calls).Prompt.AssistantPrefix);
        var router = routing.Router!;
        Assert.Equal((RoutingHeaders.AuctionRule, "bidder-1", 0.7), (router.Mode, router.Chosen, router.ExpectedAccuracy));
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3"], router.Bids!.Select(b => b.Agent));
        Assert.Equal([null, null, routing.Path[2].Error], router.Bids!.Select(b => b.Absent));
        Assert.Equal(4.0, router.RouterMs, 3); // the two bids' prompt passes, 2 ms each
        Assert.Null(routing.Degraded);
        // Usage counts every model call on the path: the two bids' prompt passes and the answer.
        Assert.Equal([BiddingBackend.PromptTokens, BiddingBackend.PromptTokens, null], routing.Path.Take(3).Select(h => h.PromptTokens));
        Assert.True(routing.Path[^1].PromptTokens > 0);
        Assert.Equal(2 * BiddingBackend.PromptTokens + routing.Path[^1].PromptTokens, sut.Completion.Usage!.PromptTokens);
    }

    [Fact]
    public async Task AgentWhoseCostLeavesNoWayToOutbidHandsBackWithoutAPromptPass()
    {
        // α 0.8: bidder-1 0.95 − 0.08 = 0.87; bidder-2 could reach at most 1 − 0.32 = 0.68.
        await using var chain = AuctionChain.Start([(0.1, 0.95), (0.4, 0.99), (1.0, 0.99)]);

        var sut = await chain.AskAsync(0.8);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-1", sut.Routing.AnsweredBy);
        Assert.Equal([HopDecision.Bid, HopDecision.HandBack, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        var handBack = sut.Routing.Path[1];
        Assert.Equal(0, handBack.ModelMs);
        Assert.Contains("1 − α·c = 0.68", handBack.Error);
        Assert.Empty(chain.Models[1].Assessed);
        Assert.Empty(chain.Models[2].Assessed);
        Assert.Empty(chain.Models[2].Model.Calls);
    }

    [Fact]
    public async Task DearerAgentThatOutbidsAnswersAndItsAnswerIsRelayedUpstream()
    {
        // α 0.5: 0.45, then bidder-2 0.9 − 0.2 = 0.7; bidder-3 could reach only 0.5.
        await using var chain = AuctionChain.Start([(0.1, 0.5), (0.4, 0.9), (1.0, 0.99)]);

        var sut = await chain.AskAsync(0.5);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal(AgentPrompts.AnswerPrefix + AuctionChain.Answer(2), sut.Content);
        Assert.Equal(("bidder-2", 0.4), (sut.Routing.AnsweredBy, sut.Routing.Cost));
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3", "bidder-2"], sut.Routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Bid, HopDecision.Bid, HopDecision.HandBack, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal("bidder-2", sut.Routing.Router!.Chosen);
        // bidder-1 relayed the answer and put its bid in front, as it puts its hop in front of the path.
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3"], sut.Routing.Router.Bids!.Select(b => b.Agent));
        Assert.Equal([0, 1, 0], [chain.Answers(1), chain.Answers(2), chain.Answers(3)]);
    }

    [Fact]
    public async Task LastAgentWhoseBidWinsAnswersWithoutAHandBack()
    {
        // α 0.2: 0.28, 0.32, then bidder-3 0.99 − 0.2 = 0.79.
        await using var chain = AuctionChain.Start([(0.1, 0.3), (0.4, 0.4), (1.0, 0.99)]);

        var sut = await chain.AskAsync(0.2);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-3", sut.Routing.AnsweredBy);
        // Its bid and its answer: two hops, as every winner has.
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3", "bidder-3"], sut.Routing.Path.Select(h => h.Agent));
        Assert.Equal([HopDecision.Bid, HopDecision.Bid, HopDecision.Bid, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal(["bidder-1", "bidder-2", "bidder-3"], sut.Routing.Router!.Bids!.Select(b => b.Agent));
        Assert.Equal(0.99, sut.Routing.Router.ExpectedAccuracy);
    }

    [Fact]
    public async Task LastAgentThatBidsLowerHandsBackToTheEarlierWinner()
    {
        // α 0.2: bidder-1 0.58; bidder-2 (could reach 0.92) bids 0.22; bidder-3 (could reach 0.8) bids 0.3 and hands back.
        await using var chain = AuctionChain.Start([(0.1, 0.6), (0.4, 0.3), (1.0, 0.5)]);

        var sut = await chain.AskAsync(0.2);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-1", sut.Routing.AnsweredBy);
        Assert.Equal([HopDecision.Bid, HopDecision.Bid, HopDecision.HandBack, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal(0.5, sut.Routing.Path[2].PRight); // it bid before handing back
        Assert.Single(chain.Models[2].Assessed);
        Assert.Equal([1, 0, 0], [chain.Answers(1), chain.Answers(2), chain.Answers(3)]);
    }

    [Fact]
    public async Task AgentWithoutABidScalePassesOnWithTheReasonOnItsHop()
    {
        // α 0.5: bidder-1 cannot bid; bidder-2 0.7; bidder-3 could reach only 0.5.
        await using var chain = AuctionChain.Start([(0.1, null), (0.4, 0.9), (1.0, 0.99)]);

        var sut = await chain.AskAsync(0.5);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-2", sut.Routing.AnsweredBy);
        var noBid = sut.Routing.Path[0];
        Assert.Equal((HopDecision.NoBid, BiddingBackend.NoBidReason), (noBid.Decision, noBid.Error));
        Assert.Null(noBid.PRight);
        Assert.Equal(BiddingBackend.NoBidReason, sut.Routing.Router!.Bids![0].Absent);
    }

    [Fact]
    public async Task NoBidAnywhereLeavesTheLastAgentToAnswer()
    {
        await using var chain = AuctionChain.Start([(0.1, null), (0.4, null)]);

        var sut = await chain.AskAsync(0.5);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-2", sut.Routing.AnsweredBy);
        Assert.Equal([HopDecision.NoBid, HopDecision.NoBid, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal("no agent bid: answered as the cascade's last resort", sut.Routing.Path[^1].Error);
    }

    [Fact]
    public async Task UnreachableSuccessorLeavesTheBestSoFarToAnswerMarkedDegraded()
    {
        await using var chain = AuctionChain.Start([(0.1, 0.6)], deadAfterLast: true);

        using var response = await chain.Hosts[0].Client.SendAsync(AuctionRequest(0.5, stream: true)).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var degraded = Assert.Single(response.Headers.GetValues(RoutingHeaders.Degraded));
        Assert.Equal("the auction ended at bidder-1: no successor reachable (bidder-2)", degraded);
        var routing = LastChunkRouting(text);
        Assert.Equal(degraded, routing.Degraded);
        Assert.Equal("bidder-1", routing.AnsweredBy);
        Assert.Equal([HopDecision.Bid, HopDecision.Unreachable, HopDecision.Answer], routing.Path.Select(h => h.Decision));
        Assert.StartsWith("unreachable: ", routing.Router!.Bids![1].Absent);
    }

    [Fact]
    public async Task UnreachableSuccessorBehindALoserHandsBackToTheWinnerMarkedDegraded()
    {
        // α 0.5: bidder-1 0.65; bidder-2 (could reach 0.8) bids 0.2 − 0.2 = 0; its successor is down: back to bidder-1.
        await using var chain = AuctionChain.Start([(0.1, 0.7), (0.4, 0.2)], deadAfterLast: true);

        var sut = await chain.AskAsync(0.5);

        Assert.Equal(HttpStatusCode.OK, sut.Status);
        Assert.Equal("bidder-1", sut.Routing.AnsweredBy);
        Assert.Equal([HopDecision.Bid, HopDecision.HandBack, HopDecision.Unreachable, HopDecision.Answer], sut.Routing.Path.Select(h => h.Decision));
        Assert.Equal("the auction ended at bidder-2: no successor reachable (bidder-3)", sut.Routing.Degraded);
    }

    [Fact]
    public async Task HandBackThatNamesNoOneUpstreamLeavesTheEntryAgentAsAHandBackReply()
    {
        // The entry agent is handed a best bid from nowhere (a mis-set chain): it cannot outbid it and hands back to it.
        await using var chain = AuctionChain.Start([(0.4, 0.9)]);

        var sut = await chain.Hosts[0].Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"),
            (RoutingHeaders.HopCount, "1"), (RoutingHeaders.Alpha, "0.5"), (RoutingHeaders.Rule, RoutingHeaders.AuctionRule),
            (RoutingHeaders.BestBid, "agent=bidder-0; p_right=0.99; cost=0.05"));

        Assert.Equal((HttpStatusCode)HandBack.StatusCode, sut.Status);
        Assert.Equal(HandBack.MediaType, sut.ContentType);
        var handBack = JsonSerializer.Deserialize<HandBack>(sut.Body)!;
        Assert.Equal("bidder-0", handBack.Winner);
        Assert.Equal([HopDecision.HandBack], handBack.Path.Select(h => h.Decision));
        Assert.Empty(chain.Models[0].Assessed);
    }

    [Theory]
    [InlineData("bidding", null, "knows 'auction'")]
    [InlineData(null, "agent=bidder-1; p_right=0.5; cost=0.1", "belongs to the auction rule")]
    [InlineData("auction", "bidder-1 0.5", "agent=<name>")]
    public async Task MalformedRuleHeadersAreRefusedWithTheReason(string? rule, string? best, string reason)
    {
        await using var chain = AuctionChain.Start([(0.1, 0.5)]);
        List<(string, string)> headers = [(RoutingHeaders.HopCount, "1"), (RoutingHeaders.Alpha, "0.5")];
        if (rule is not null) headers.Add((RoutingHeaders.Rule, rule));
        if (best is not null) headers.Add((RoutingHeaders.BestBid, best));

        var sut = await chain.Hosts[0].Client.PostJsonAsync("/v1/chat/completions", Http.Chat("q"), [.. headers]);

        Assert.Equal(HttpStatusCode.BadRequest, sut.Status);
        Assert.Contains(reason, sut.ProblemDetail);
        Assert.Empty(chain.Models[0].Assessed);
    }

    private static HttpRequestMessage AuctionRequest(double alpha, bool stream)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(Http.Chat("what is 6 x 7?", stream ? "\"stream\":true" : ""), System.Text.Encoding.UTF8, "application/json"),
        };
        message.Headers.Add(RoutingHeaders.HopCount, "0");
        message.Headers.Add(RoutingHeaders.Alpha, alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add(RoutingHeaders.Rule, RoutingHeaders.AuctionRule);
        return message;
    }

    private static RoutingMetadata LastChunkRouting(string sse) =>
        sse.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<ChatCompletionChunk>(l["data: ".Length..])!)
            .Last(c => c.DiSRouter is not null).DiSRouter!;
}
