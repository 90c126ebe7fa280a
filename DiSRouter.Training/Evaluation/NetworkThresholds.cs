namespace DiSRouter.Training.Evaluation;

/// <summary>
/// Per-agent cuts on a self-aware cascade's decision score (the first-token logit gap, or a probe's score): agent k
/// answers when its score reaches <see cref="Answer"/>[k], or, two-sided, when it falls below <see cref="Low"/>[k]
/// (a query this agent is sure it cannot solve is likely hopeless downstream too, so it answers cheaply instead of
/// sending it to the dearest agent). The last agent always answers; one cut per agent but the last.
/// </summary>
internal sealed record NetworkCuts(double[] Answer, double[] Low)
{
    public bool Answers(int k, double score) => score >= Answer[k] || score < Low[k];

    /// <summary>One-sided cuts: answer at or above <paramref name="answer"/>[k], never below a low cut.</summary>
    public static NetworkCuts OneSided(double[] answer) => new(answer, Enumerable.Repeat(double.NegativeInfinity, answer.Length).ToArray());
}

/// <summary>
/// Tunes the cuts of every agent of a self-aware cascade together, for the cascade's utility at α on labelled queries
/// (validation): each agent's own graded answer and its decision score per query, a declining agent charging no cost.
/// WHY: calibrate picks each agent's cut for its own reward, a local rule that ignores what happens downstream (an agent
/// declines a query the next agent answers no better, and the query travels to the dearest agent); the cascade's utility
/// sees it. The cuts read the other agents' validation labels (no training on them): the information the other
/// cascades' thresholds are tuned on.
/// </summary>
internal static class NetworkThresholds
{
    /// <summary>The member that answers each query. <paramref name="scores"/>[k][i]: agent k's score on query i (the last agent's is never read).</summary>
    public static int[] Route(IReadOnlyList<IReadOnlyList<double>> scores, NetworkCuts cuts)
    {
        int agents = scores.Count, n = scores[0].Count;
        if (cuts.Answer.Length != agents - 1 || cuts.Low.Length != agents - 1)
            throw new ArgumentException($"{cuts.Answer.Length} cuts for {agents} agents (one per agent but the last).", nameof(cuts));
        var routed = new int[n];
        for (int i = 0; i < n; i++)
        {
            int k = 0;
            while (k < agents - 1 && !cuts.Answers(k, scores[k][i])) k++;
            routed[i] = k;
        }
        return routed;
    }

    /// <summary>Mean utility: the answering agent's own answer graded, minus α times its cost alone (a decline costs nothing).</summary>
    public static double Utility(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyList<bool>> correct, IReadOnlyList<double> costs,
        double alpha, NetworkCuts cuts)
    {
        var routed = Route(scores, cuts);
        double u = 0;
        for (int i = 0; i < routed.Length; i++) u += (correct[routed[i]][i] ? 1 : 0) - alpha * costs[routed[i]];
        return u / routed.Length;
    }

    /// <summary>
    /// Coordinate ascent from <paramref name="start"/> (the agents' own calibrated cuts): each agent's answer cut, then
    /// (two-sided) its low cut, over the midpoints between its distinct scores and ±∞, a few sweeps, keeping a move only
    /// when utility rises. Ties keep the start, so with nothing to gain the own cuts stand.
    /// </summary>
    public static NetworkCuts Tune(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<IReadOnlyList<bool>> correct, IReadOnlyList<double> costs,
        double alpha, NetworkCuts start, bool twoSided, int candidatesPerAgent = 100, int sweeps = 4)
    {
        int members = scores.Count - 1;
        var candidates = Enumerable.Range(0, members).Select(k => Candidates(scores[k], candidatesPerAgent)).ToArray();
        var cuts = start with { Answer = start.Answer.ToArray(), Low = start.Low.ToArray() };
        double best = Utility(scores, correct, costs, alpha, cuts);
        for (int s = 0; s < sweeps; s++)
        {
            bool moved = false;
            for (int k = 0; k < members; k++)
            {
                foreach (var c in candidates[k])
                {
                    if (c < cuts.Low[k]) continue; // the answer cut stays above the low one
                    var trial = cuts with { Answer = cuts.Answer.ToArray() };
                    trial.Answer[k] = c;
                    double u = Utility(scores, correct, costs, alpha, trial);
                    if (u > best + 1e-12) { best = u; cuts = trial; moved = true; }
                }
                if (!twoSided) continue;
                foreach (var c in candidates[k])
                {
                    if (c > cuts.Answer[k]) continue;
                    var trial = cuts with { Low = cuts.Low.ToArray() };
                    trial.Low[k] = c;
                    double u = Utility(scores, correct, costs, alpha, trial);
                    if (u > best + 1e-12) { best = u; cuts = trial; moved = true; }
                }
            }
            if (!moved) break;
        }
        return cuts;
    }

    // ±∞ and midpoints between neighbouring distinct scores at evenly spaced ranks: a cut between two queries' scores,
    // never on one, so that a score tied with a validation query's is not decided by which side of ≥ it falls.
    private static double[] Candidates(IReadOnlyList<double> scores, int count)
    {
        var distinct = scores.Distinct().Order().ToArray();
        var list = new List<double> { double.NegativeInfinity, double.PositiveInfinity };
        int gaps = distinct.Length - 1;
        if (gaps <= count)
            for (int j = 0; j < gaps; j++) list.Add((distinct[j] + distinct[j + 1]) / 2);
        else
            for (int q = 1; q <= count; q++)
            {
                int j = (int)((long)q * gaps / (count + 1));
                list.Add((distinct[j] + distinct[j + 1]) / 2);
            }
        return list.Distinct().Order().ToArray();
    }
}
