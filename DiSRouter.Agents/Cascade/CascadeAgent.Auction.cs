using System.Diagnostics;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// The auction rule (<see cref="RoutingHeaders.Rule"/>: "auction"): the agents hold the auction themselves, cheapest
/// first, with the best bid so far carried from hop to hop (<see cref="RoutingHeaders.BestBid"/>). An agent that cannot
/// outbid it hands the query back at once (<see cref="AuctionRule.CanOutbid"/>); otherwise it bids (the prompt pass
/// POST /v1/assess serves) and passes the query on with the better bid. The last agent, or one whose successors are all
/// unreachable, answers when the best bid is its own and hands the query back to the winner otherwise; a hand-back that
/// reaches the winner makes it answer (answer-only, as an agent a router chose), and any other agent passes it up.
/// </summary>
internal sealed partial class CascadeAgent
{
    private async Task<CascadeResult> AuctionAsync(ChatCompletionRequest request, Scenario scenario, int hops, GenerationSettings settings,
        long started, TimeSpan? commitBudget, AuctionBid? best, ConversationParts conversation, RoutingMetadata metadata, Activity? activity,
        CancellationToken ct)
    {
        var o = options.Value;
        var alpha = scenario.Alpha;
        activity?.SetTag(AgentTags.Rule, RoutingHeaders.AuctionRule);

        // 1) no agent from here on can outbid the best so far: back to it at once, without a prompt pass
        if (best is not null && !AuctionRule.CanOutbid(best, o.Cost, alpha))
        {
            var why = AuctionRule.WhyNot(best, o.Cost, alpha);
            telemetry.RecordDecision(o.Name, HopDecision.HandBack);
            activity?.SetTag(AgentTags.Decision, HopDecision.HandBack);
            activity?.Dispose();
            return new CascadeResult.HandingBack(new HandBack
            {
                Winner = best.Agent,
                Reason = why,
                Bids = [new BidMetadata { Agent = o.Name, Cost = o.Cost, Absent = why }],
                Path = [new Hop
                {
                    Agent = o.Name, Model = backend.ModelName, Decision = HopDecision.HandBack, Cost = o.Cost,
                    LatencyMs = Ms(Stopwatch.GetElapsedTime(started)), Error = why,
                }],
            });
        }

        // 2) its own bid; the better of it and the best so far goes on (a tie stays with the cheaper agent)
        var assessment = await Bidding.AssessAsync(backend, telemetry, o.Name, conversation, ct);
        var own = assessment.PRight is { } p ? new AuctionBid(o.Name, p, o.Cost) : null;
        var leader = own is null ? best : AuctionRule.Better(best, own, alpha);
        var bidHop = BidHop(own, assessment, alpha, started);
        var ownBid = new BidMetadata
        {
            Agent = o.Name,
            PRight = bidHop.PRight,
            Cost = o.Cost,
            Utility = bidHop.Utility,
            LogitGap = bidHop.DecisionLogitGap,
            Absent = own is null ? bidHop.Error : null,
        };
        telemetry.RecordDecision(o.Name, bidHop.Decision);
        activity?.SetTag(AgentTags.Decision, bidHop.Decision);
        if (bidHop.Utility is { } utility) activity?.SetTag(AgentTags.BidUtility, utility);

        // 3) on to the successors: one answers (relayed), or the query comes back naming the winner
        var skipped = new List<Hop>();
        List<BidMetadata> BidsHere() => [ownBid, .. skipped.Select(h => new BidMetadata { Agent = h.Agent, Absent = $"unreachable: {h.Error}" })];
        if (!o.IsLast)
        {
            (var taken, skipped) = await ForwardAsync(request, scenario, hops, started, commitBudget, new AuctionCall(leader), ct);
            var bids = BidsHere();
            switch (taken)
            {
                case ForwardOutcome.Committed committed:
                    var degraded = Degradation.Join(Degradation.Skipped(skipped), committed.Stream.Degraded);
                    return new CascadeResult.Answering(Relay(committed.Stream, scenario, bidHop, skipped, Spent([bidHop]), degraded, started, activity, bids, ct), degraded);
                case ForwardOutcome.Refused refused:
                    activity?.Dispose();
                    return new CascadeResult.PassedBack(refused.StatusCode, refused.Body, refused.ContentType);
                case ForwardOutcome.HandedBack { HandBack: var back } when back.Winner == o.Name && own is not null:
                    metadata.Degraded = Degradation.Join(Degradation.Skipped(skipped), back.Degraded);
                    List<Hop> before = [bidHop, .. skipped, .. back.Path];
                    metadata.Router = Won(own, [.. bids, .. back.Bids], before);
                    return await AnswerAsync(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings, null,
                        before, Spent(before), metadata, started, activity, ct);
                case ForwardOutcome.HandedBack { HandBack: var back }:
                    activity?.Dispose();
                    return new CascadeResult.HandingBack(new HandBack
                    {
                        Winner = back.Winner,
                        Reason = back.Reason,
                        Bids = [.. bids, .. back.Bids],
                        Path = [bidHop, .. skipped, .. back.Path],
                        Degraded = Degradation.Join(Degradation.Skipped(skipped), back.Degraded),
                    });
            }
            Log.AuctionCut(logger, o.Name);
        }

        // 4) the last agent, or every successor unreachable: the best bid so far wins (here, when no one bid at all)
        var closing = BidsHere();
        var cut = o.IsLast ? null : Degradation.AuctionCut(o.Name, skipped);
        if (leader is null || leader.Agent == o.Name)
        {
            metadata.Degraded = cut;
            metadata.Router = Won(leader, closing, [bidHop]);
            return await AnswerAsync(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings,
                leader is null ? "no agent bid: answered as the cascade's last resort" : null, [bidHop, .. skipped], Spent([bidHop]), metadata, started, activity, ct);
        }
        bidHop.Decision = HopDecision.HandBack;
        activity?.Dispose();
        return new CascadeResult.HandingBack(new HandBack
        {
            Winner = leader.Agent,
            Reason = o.IsLast ? $"the auction's last agent ({o.Name}) did not outbid {leader.Agent}" : $"{cut}; {leader.Agent} holds the best bid",
            Bids = closing,
            Path = [bidHop, .. skipped],
            Degraded = cut,
        });
    }

    /// <summary>
    /// The bids' prompt passes on <paramref name="hops"/> as one model call for the answer's usage, which counts every model
    /// call on the path (as the cascade's rejections are counted); null when none read a token.
    /// </summary>
    private static ChatGeneration? Spent(IEnumerable<Hop> hops)
    {
        var tokens = hops.Where(IsAuctionHop).Sum(h => h.PromptTokens ?? 0);
        return tokens == 0 ? null : new ChatGeneration([], tokens, TimeSpan.Zero);
    }

    /// <summary>A hop of the auction itself (a bid, a no-bid or a hand-back), as against an answer or an unreachable successor.</summary>
    private static bool IsAuctionHop(Hop h) => h.Decision is HopDecision.Bid or HopDecision.NoBid or HopDecision.HandBack;

    /// <summary>This agent's bid as a hop: its P(right) and p − α·c, or why it has none; the prompt pass's time.</summary>
    private Hop BidHop(AuctionBid? own, SelfAssessment assessment, double alpha, long started)
    {
        var o = options.Value;
        var passMs = assessment.PromptTime is { } t ? Ms(t) : 0;
        return new Hop
        {
            Agent = o.Name,
            Model = backend.ModelName,
            Decision = own is null ? HopDecision.NoBid : HopDecision.Bid,
            LatencyMs = Ms(Stopwatch.GetElapsedTime(started)),
            ModelMs = passMs,
            FirstTokenMs = assessment.PromptTime is null ? null : passMs,
            PromptTokens = assessment.PromptTokens,
            DecisionLogitGap = assessment.LogitGap is { } gap ? Math.Round(gap, 4) : null,
            PRight = own is null ? null : Math.Round(own.PRight, 6),
            Utility = own is null ? null : Math.Round(own.Utility(alpha), 6),
            Cost = o.Cost,
            Error = own is null ? assessment.NoBid ?? "no bid" : null,
        };
    }

    /// <summary>
    /// The auction's part of the answer's metadata, written by the winner: every bid, itself as the one chosen, and as the
    /// auction's time the bids' prompt passes on <paramref name="path"/> (each agent upstream adds its own as it relays).
    /// </summary>
    private RouterMetadata Won(AuctionBid? own, List<BidMetadata> bids, IEnumerable<Hop> path) => new()
    {
        RouterMs = Math.Round(path.Where(IsAuctionHop).Sum(h => h.ModelMs), 3),
        Mode = RoutingHeaders.AuctionRule,
        Bids = bids,
        Chosen = options.Value.Name,
        ChosenModel = backend.ModelName,
        ExpectedAccuracy = own is null ? 0 : Math.Round(own.PRight, 4),
        ForwardedTo = options.Value.Name,
    };
}
