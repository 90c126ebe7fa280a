using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Each agent's own map from its logit gap (under the <see cref="RoutingReport.BidAlpha"/> prompt) to the probability that
/// its own answer is right: a one-feature logistic fit (<see cref="SelfKnowledgeProbe"/>) on that agent's validation
/// decisions and its own graded answers, nothing of any other agent. WHY: a gap is on each checkpoint's own scale; a bid
/// must be a probability to be weighed against cost (p − α·c) beside other agents' bids.
/// </summary>
internal sealed class BidScales
{
    private readonly SelfKnowledgeProbe[] _scales;

    private BidScales(SelfKnowledgeProbe[] scales) => _scales = scales;

    /// <summary>
    /// Fits every agent's scale on validation; null unless every agent's decisions were measured there under the bid
    /// prompt. <paramref name="checkpoint"/> picks whose decisions: the served checkpoints' (the default) or the SFT ones'.
    /// </summary>
    public static BidScales? Fit(SetMeasurements validation, Func<AgentMeasurements, IReadOnlyDictionary<double, MeasuredDecision[]>>? checkpoint = null)
    {
        checkpoint ??= a => a.Rl;
        if (!validation.Agents.All(a => checkpoint(a).TryGetValue(RoutingReport.BidAlpha, out var d) && d.Length > 0 && d[0].HasAnswer)) return null;
        return new BidScales(validation.Agents.Select(a =>
        {
            var decisions = checkpoint(a)[RoutingReport.BidAlpha];
            return SelfKnowledgeProbe.Fit(decisions.Select(d => new[] { (float)d.LogitGap }).ToList(), decisions.Select(d => d.Correct).ToList(),
                Enumerable.Range(0, decisions.Length).ToList());
        }).ToArray());
    }

    /// <summary>Every agent's bid on every query of <paramref name="set"/>, [agent][query]; null where the bid prompt was not measured.</summary>
    public double[][]? Bids(SetMeasurements set, Func<AgentMeasurements, IReadOnlyDictionary<double, MeasuredDecision[]>>? checkpoint = null) =>
        (checkpoint ??= a => a.Rl) is var of && set.Agents.All(a => of(a).ContainsKey(RoutingReport.BidAlpha))
            ? set.Agents.Select((a, k) => of(a)[RoutingReport.BidAlpha].Select(d => Probability(_scales[k].Score([(float)d.LogitGap]))).ToArray()).ToArray()
            : null;

    /// <summary>Agent <paramref name="agent"/>'s fitted map as log-odds = weight·gap + bias on its raw gap, and the L2 the cross-validation chose.</summary>
    public (double Weight, double Bias, double L2) Map(int agent)
    {
        var (weights, bias) = _scales[agent].Unstandardised();
        return (weights[0], bias, _scales[agent].L2);
    }

    public static double Probability(double logOdds) => 1 / (1 + Math.Exp(-logOdds));
}
