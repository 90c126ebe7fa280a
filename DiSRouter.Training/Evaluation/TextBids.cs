using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Each agent's bid from two things it knows of itself: its logit gap under the <see cref="RoutingReport.BidAlpha"/>
/// prompt, and what its own graded answers on validation say of queries worded like this one (a logistic regression on
/// the query's n-grams, <see cref="LogisticRouter"/> fitted on that agent's labels alone). The two are joined by a
/// two-feature logistic fit (<see cref="SelfKnowledgeProbe"/>) on the same validation answers, the text score read out of
/// fold there so the join does not trust a head that has seen the label. WHY: a central router learns from these labels
/// which kinds of query each model gets right; an agent may learn the same of itself from its own record, and its gap
/// adds what it sees of this very query. Nothing of any other agent is read: plug-and-play holds.
/// </summary>
internal sealed class TextBids
{
    public const int Folds = 5;

    private readonly LogisticRouter[] _text;
    private readonly SelfKnowledgeProbe[] _join;

    private TextBids(LogisticRouter[] text, SelfKnowledgeProbe[] join)
    {
        _text = text;
        _join = join;
    }

    /// <summary>Fits every agent's text head and join on validation; null unless every agent's decisions were measured there under the bid prompt.</summary>
    public static TextBids? Fit(SetMeasurements validation, IReadOnlyList<RoutedQuery> queries, NGramFeatures features, int seed)
    {
        if (!validation.Agents.All(a => a.Rl.TryGetValue(RoutingReport.BidAlpha, out var d) && d.Length == queries.Count && d.Length > 0 && d[0].HasAnswer)) return null;
        var text = new LogisticRouter[validation.Agents.Count];
        var join = new SelfKnowledgeProbe[validation.Agents.Count];
        var fold = CrossValidation.Folds(queries.Count, Folds, seed);
        for (int k = 0; k < validation.Agents.Count; k++)
        {
            var decisions = validation.Agents[k].Rl[RoutingReport.BidAlpha];
            var right = decisions.Select(d => d.Correct).ToArray();
            var outOfFold = new double[queries.Count];
            for (int f = 0; f < Folds; f++)
            {
                var train = Enumerable.Range(0, queries.Count).Where(i => fold[i] != f).ToArray();
                var head = LogisticRouter.Fit(train.Select(i => queries[i]).ToList(), [train.Select(i => right[i]).ToArray()], features, seed: seed);
                foreach (int i in Enumerable.Range(0, queries.Count).Where(i => fold[i] == f)) outOfFold[i] = LogOdds(head.Predict(queries[i])[0]);
            }
            text[k] = LogisticRouter.Fit(queries, [right], features, seed: seed);
            join[k] = SelfKnowledgeProbe.Fit(decisions.Select((d, i) => new[] { (float)d.LogitGap, (float)outOfFold[i] }).ToList(), right,
                Enumerable.Range(0, queries.Count).ToList());
        }
        return new TextBids(text, join);
    }

    /// <summary>Every agent's bid on every query of <paramref name="set"/>, [agent][query]; null where the bid prompt was not measured.</summary>
    public double[][]? Bids(SetMeasurements set, IReadOnlyList<RoutedQuery> queries) =>
        set.Agents.All(a => a.Rl.ContainsKey(RoutingReport.BidAlpha))
            ? set.Agents.Select((a, k) => a.Rl[RoutingReport.BidAlpha].Select((d, i) =>
                BidScales.Probability(_join[k].Score([(float)d.LogitGap, (float)LogOdds(_text[k].Predict(queries[i])[0])]))).ToArray()).ToArray()
            : null;

    /// <summary>Agent <paramref name="agent"/>'s join as log-odds = gap weight·gap + text weight·text log-odds + bias.</summary>
    public (double Gap, double Text, double Bias) Join(int agent)
    {
        var (weights, bias) = _join[agent].Unstandardised();
        return (weights[0], weights[1], bias);
    }

    private static double LogOdds(double p)
    {
        var q = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(q / (1 - q));
    }
}
