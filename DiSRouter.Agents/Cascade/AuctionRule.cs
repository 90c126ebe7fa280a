using System.Globalization;
using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// The auction rule's two judgements at one agent, cheapest agent first. Bids are probabilities and every successor costs
/// more, so an agent of cost c is worth at most 1 − α·c, and neither it nor any agent after it can beat a best bid that
/// already reaches that: it hands the query back without a prompt pass. Otherwise it bids, and the better of its bid and
/// the best so far goes on (<see cref="UtilityChoice"/>: a tie goes to the cheaper agent, the one upstream). Asked along
/// the whole chain this asks the agents the report's sequential auction counts and picks what UtilityChoice picks among
/// every bid (AuctionRuleTests).
/// </summary>
internal static class AuctionRule
{
    /// <summary>Whether an agent of <paramref name="cost"/> could outbid <paramref name="best"/> (always, when no one has bid).</summary>
    public static bool CanOutbid(AuctionBid? best, double cost, double alpha) => best is null || best.Utility(alpha) < 1 - alpha * cost;

    /// <summary>Why an agent of <paramref name="cost"/> cannot outbid <paramref name="best"/>: its hop's reason.</summary>
    public static string WhyNot(AuctionBid best, double cost, double alpha) => string.Create(CultureInfo.InvariantCulture,
        $"not asked: at cost {cost:0.###} no bid can be worth more than 1 − α·c = {1 - alpha * cost:0.####}, and {best.Agent}'s is worth {best.Utility(alpha):0.####}");

    /// <summary>The better of the best bid so far (upstream, cheaper) and <paramref name="own"/>.</summary>
    public static AuctionBid Better(AuctionBid? best, AuctionBid own, double alpha) =>
        best is null || UtilityChoice.Pick([best.PRight, own.PRight], [best.Cost, own.Cost], alpha) == 1 ? own : best;
}
