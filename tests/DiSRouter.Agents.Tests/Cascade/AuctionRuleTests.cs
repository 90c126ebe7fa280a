using DiSRouter.Agents.Cascade;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.Evaluation;

namespace DiSRouter.Agents.Tests.Cascade;

/// <summary>
/// The auction rule, asked agent by agent along a chain as the agents ask it, asks exactly the agents the report's
/// sequential auction counts (<see cref="BidPasses.Auction"/>) and picks what <see cref="UtilityChoice.Pick"/> picks
/// among every bid.
/// </summary>
public sealed class AuctionRuleTests
{
    /// <summary>The chain as the agents run it: each agent that could outbid the best bid so far bids; the first that cannot ends it.</summary>
    private static (int Asked, int Picked) Chain(IReadOnlyList<double> bids, IReadOnlyList<double> costs, double alpha)
    {
        AuctionBid? best = null;
        var asked = 0;
        for (var k = 0; k < bids.Count; k++)
        {
            if (!AuctionRule.CanOutbid(best, costs[k], alpha)) break;
            asked++;
            best = AuctionRule.Better(best, new AuctionBid($"agent-{k}", bids[k], costs[k]), alpha);
        }
        return (asked, int.Parse(best!.Agent["agent-".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(-1)] // α drawn per query
    public void ChainAsksTheAgentsTheSequentialAuctionCountsAndPicksTheBestUtility(double alpha)
    {
        var random = new Random(22);
        var stopsEarly = 0;
        for (var query = 0; query < 5_000; query++)
        {
            var n = random.Next(1, 7);
            var a = alpha >= 0 ? alpha : random.NextDouble();
            var costs = Enumerable.Range(0, n).Select(_ => random.NextDouble()).Order().ToArray();
            // Half the queries on a coarse grid: ties between agents and sure bids (1.0), where the rule's edges are.
            var bids = Enumerable.Range(0, n).Select(_ => query % 2 == 0 ? random.Next(0, 11) / 10.0 : random.NextDouble()).ToArray();
            if (query % 2 == 0) costs = costs.Select(c => Math.Round(c, 1)).ToArray();

            var sut = Chain(bids, costs, a);

            Assert.Equal(BidPasses.Auction(bids, costs, a), sut);
            Assert.Equal(UtilityChoice.Pick(bids, costs, a), sut.Picked);
            if (sut.Asked < n) stopsEarly++;
        }
        // The equivalence is tested where it matters: many auctions end before the last agent.
        Assert.InRange(stopsEarly, 500, 5_000);
    }

    [Fact]
    public void AgentCannotOutbidABestBidThatAlreadyReachesOneLessAlphaTimesItsCost()
    {
        var best = new AuctionBid("agent-1", 0.75, 0.5); // 0.75 − 0.5 · 0.5 = 0.5 (binary fractions: no rounding in the edge)

        Assert.True(AuctionRule.CanOutbid(null, 1.0, 0.5));
        Assert.True(AuctionRule.CanOutbid(best, 0.96875, 0.5)); // 1 − 0.484375 > 0.5
        Assert.False(AuctionRule.CanOutbid(best, 1.0, 0.5)); // 1 − 0.5 = 0.5: a sure bid would only tie, and a tie stays upstream
        Assert.Contains("agent-1", AuctionRule.WhyNot(best, 1.0, 0.5));
    }

    [Fact]
    public void TieStaysWithTheCheaperAgentUpstream()
    {
        var best = new AuctionBid("agent-1", 0.6, 0.2);
        var tie = new AuctionBid("agent-2", 0.7, 0.4); // both 0.5 at α = 0.5

        Assert.Same(best, AuctionRule.Better(best, tie, 0.5));
        Assert.Same(tie, AuctionRule.Better(best, tie, 0.2));
        Assert.Same(tie, AuctionRule.Better(null, tie, 0.5));
    }

    [Theory]
    [InlineData("agent=agent-1; p_right=0.634; cost=0.1", "agent-1", 0.634, 0.1)]
    [InlineData("cost=0.4;agent=nano-2;p_right=1", "nano-2", 1.0, 0.4)]
    public void BestBidHeaderReadsBackWhatWasWritten(string header, string agent, double p, double cost)
    {
        var (bid, error) = AuctionBid.Parse(header);

        Assert.Null(error);
        Assert.Equal(new AuctionBid(agent, p, cost), bid);
        Assert.Equal(bid, AuctionBid.Parse(bid!.ToHeader()).Bid);
    }

    [Theory]
    [InlineData("agent-1 0.6 0.1")]
    [InlineData("agent=agent-1; p_right=1.2; cost=0.1")]
    [InlineData("agent=agent-1; p_right=0.5")]
    [InlineData("agent=agent-1; p_right=0.5; cost=-1")]
    [InlineData("agent=; p_right=0.5; cost=0.1")]
    [InlineData("agent=a; agent=b; p_right=0.5; cost=0.1")]
    [InlineData("agent=a; p_right=NaN; cost=0.1")]
    public void MalformedBestBidIsRefusedWithTheExpectedForm(string header)
    {
        var (bid, error) = AuctionBid.Parse(header);

        Assert.Null(bid);
        Assert.Contains("agent=<name>", error);
    }
}
