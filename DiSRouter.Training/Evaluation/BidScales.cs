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
        if (!Measured(validation, checkpoint)) return null;
        return new BidScales(validation.Agents.Select(a =>
        {
            var decisions = checkpoint(a)[RoutingReport.BidAlpha];
            return SelfKnowledgeProbe.Fit(decisions.Select(d => new[] { (float)d.LogitGap }).ToList(), decisions.Select(d => d.Correct).ToList(),
                Enumerable.Range(0, decisions.Length).ToList());
        }).ToArray());
    }

    /// <summary>
    /// Every agent's bid on every validation query from a scale fitted without that query: the rows fall into
    /// <see cref="SelfKnowledgeProbe.Folds"/> folds, and each fold's bids come from a fit on the others. WHY: a rule chosen
    /// on validation must not be graded with scales fitted on the very labels it is graded on. Null as <see cref="Fit"/>.
    /// </summary>
    public static double[][]? OutOfFold(SetMeasurements validation)
    {
        if (!Measured(validation, a => a.Rl)) return null;
        int n = validation.Set.Queries.Count;
        var fold = Enumerable.Range(0, n).Select(FoldOf).ToArray();
        return validation.Agents.Select(a =>
        {
            var decisions = a.Rl[RoutingReport.BidAlpha];
            var gaps = decisions.Select(d => new[] { (float)d.LogitGap }).ToArray();
            var bids = new double[n];
            for (int f = 0; f < SelfKnowledgeProbe.Folds; f++)
            {
                var rest = Enumerable.Range(0, n).Where(i => fold[i] != f).ToList();
                var scale = SelfKnowledgeProbe.Fit(rest.Select(i => gaps[i]).ToList(), rest.Select(i => decisions[i].Correct).ToList(), rest);
                foreach (var i in Enumerable.Range(0, n).Where(i => fold[i] == f)) bids[i] = Probability(scale.Score(gaps[i]));
            }
            return bids;
        }).ToArray();
    }

    // Whether every agent's decisions, with their graded answers, were measured under the bid prompt: what a scale is fitted on.
    private static bool Measured(SetMeasurements validation, Func<AgentMeasurements, IReadOnlyDictionary<double, MeasuredDecision[]>> checkpoint) =>
        validation.Agents.All(a => checkpoint(a).TryGetValue(RoutingReport.BidAlpha, out var d) && d.Length > 0 && d[0].HasAnswer);

    /// <summary>The fold of validation query <paramref name="query"/> in <see cref="OutOfFold"/> (a multiplicative hash: families interleave).</summary>
    public static int FoldOf(int query) => (int)((uint)query * 2654435761u % SelfKnowledgeProbe.Folds);

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
