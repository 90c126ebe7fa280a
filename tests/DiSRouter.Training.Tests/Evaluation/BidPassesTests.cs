using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.Evaluation;

namespace DiSRouter.Training.Tests.Evaluation;

public class BidPassesTests
{
    private static readonly double[] Costs = [0.1, 0.2, 0.4, 0.7, 0.9];

    [Fact]
    public void ACheapAgentSureOfItselfEndsTheAuctionBeforeAnyDearerOneIsAsked()
    {
        // 0.99 − 0.5·0.1 = 0.94 ≥ 1 − 0.5·0.2 = 0.90: nano-2 could at most be worth 0.90.
        Assert.Equal((1, 0), BidPasses.Auction([0.99, 0.5, 0.6, 0.9, 0.95], Costs, 0.5));
        // 0.80 − 0.05 = 0.75 is below 0.90 (nano-2's most) and 0.80 (nano-3's): both are asked and bid less; nano-4 could
        // at most be worth 1 − 0.35 = 0.65, so three agents are asked and the cheapest answers.
        Assert.Equal((3, 0), BidPasses.Auction([0.80, 0.5, 0.6, 0.9, 0.95], Costs, 0.5));
    }

    [Fact]
    public void WhenCostDoesNotCountEveryAgentIsAsked()
    {
        // At α = 0 any agent could be worth 1, and a bid below 1 never rules a dearer one out.
        Assert.Equal(5, BidPasses.Auction([0.99, 0.1, 0.1, 0.1, 0.1], Costs, 0).Asked);
    }

    [Fact]
    public void TheCheapestFirstAuctionPicksWhatAskingEveryAgentAtOncePicks()
    {
        var rng = new Random(7);
        foreach (var alpha in new[] { 0, 0.2, 0.5, 0.8, 1 })
        {
            var asked = new List<int>();
            for (int i = 0; i < 2000; i++)
            {
                // Bids skewed to both ends, as calibrated self-assessments are, with ties between agents now and then.
                var bids = Costs.Select(_ => Math.Round(Math.Pow(rng.NextDouble(), rng.Next(2) == 0 ? 0.2 : 3), 2)).ToArray();
                var (n, picked) = BidPasses.Auction(bids, Costs, alpha);
                Assert.Equal(UtilityChoice.Pick(bids, Costs, alpha), picked);
                Assert.InRange(n, picked + 1, Costs.Length);
                asked.Add(n);
            }
            if (alpha >= 0.5) Assert.True(asked.Average() < 4, $"α = {alpha}: {asked.Average():0.00} agents asked on average");
        }
    }
}
