using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Training.Evaluation;

/// <summary>One agent on one family × difficulty: its own correctness, its decisions at the named α and what a central router predicts for it.</summary>
/// <param name="OwnCorrect">Share of the cell the served checkpoint answers right (its greedy answer under the α = 0.5 prompt).</param>
/// <param name="BaseCorrect">Share the base model answers right: the label the central routers learn.</param>
/// <param name="AnswerRate">Per named α, the share it answers (served decision: calibrated thresholds where present).</param>
/// <param name="AnsweredWrong">Per named α, the share it answers although its own answer there is wrong.</param>
/// <param name="RejectedRight">Per named α, the share it declines although its own answer there is right.</param>
/// <param name="Mf">Mean of the MF router's predicted p(correct) for this agent over the cell.</param>
/// <param name="Logistic">Mean of the n-gram logistic router's predicted p(correct) for this agent over the cell.</param>
internal sealed record DiagnosisCell(string Agent, string Family, string Difficulty, int Count, double OwnCorrect, double BaseCorrect,
    double[] AnswerRate, double[] AnsweredWrong, double[] RejectedRight, double Mf, double Logistic);

/// <summary>How well one agent's decision signal ranks its own correctness (AUC), beside the routers' predictions of the same labels.</summary>
/// <param name="GapAuc">Per named α, AUC of the first-token logit gap (answer − reject) against its own correctness at that α.</param>
/// <param name="Disagreement">Per named α, the share of queries where the served decision disagrees with its own correctness.</param>
/// <param name="GreedyDisagreement">The same for the greedy decision (no thresholds).</param>
/// <param name="BestDisagreement">The least disagreement any single threshold on the gap reaches at that α (the threshold's share of the fault is the rest).</param>
internal sealed record DiagnosisAgent(string Agent, double[] GapAuc, double MfAuc, double LogisticAuc, double[] Disagreement, double[] GreedyDisagreement, double[] BestDisagreement);

/// <summary>At one α, the first misjudgement on each query's way down the cascade, charged with the utility the cascade gives up to MF there.</summary>
/// <param name="Kind">"answered wrong" (answered, own answer wrong), "rejected right" (declined, own answer right) or "no misjudgement".</param>
/// <param name="Share">Share of all queries whose first misjudgement this is.</param>
/// <param name="UtilityGap">Σ over those queries of U(mf) − U(cascade), divided by all queries: its part of the overall utility gap.</param>
internal sealed record DiagnosisBlame(double Alpha, string Agent, string Kind, double Share, double UtilityGap);

/// <summary>At one α, one family × difficulty's part of the overall utility gap U(mf) − U(cascade).</summary>
internal sealed record DiagnosisCellGap(double Alpha, string Family, string Difficulty, int Count, double Cascade, double Mf, double Gap);

internal sealed record DiagnosisResult(string Split, int Queries, IReadOnlyList<double> Alphas, IReadOnlyList<DiagnosisCell> Cells,
    IReadOnlyList<DiagnosisAgent> Agents, IReadOnlyList<DiagnosisBlame> Blame, IReadOnlyList<DiagnosisCellGap> Gaps);

/// <summary>
/// Why the self-aware agents misjudge, measured: per agent × family × difficulty, the served checkpoint's own correctness,
/// its answer rate at the named α and where its decision disagrees with that correctness, beside what the central routers
/// (MF, n-gram logistic; fitted on validation) predict for the same agent. Every number comes from already measured
/// replies: nothing is generated here. The last agent always answers, so it is left out of the decision figures.
/// </summary>
internal static class SelfAwareDiagnosis
{
    public const string Mf = RoutingReport.Mf;

    /// <summary>
    /// Diagnoses <paramref name="graded"/> (its self-aware decisions measured at every named α) with routers fitted on
    /// <paramref name="validation"/>'s base replies; <paramref name="routers"/> replaces the fitting (tests).
    /// </summary>
    public static DiagnosisResult Run(SetMeasurements validation, SetMeasurements graded, IReadOnlyList<double> alphas, int seed = 0,
        (ICorrectnessModel Mf, ICorrectnessModel Logistic)? routers = null)
    {
        var features = new NGramFeatures();
        var valQueries = validation.Set.Queries.Select(q => new RoutedQuery(q.Question, q.Family, q.Difficulty)).ToList();
        var valCorrect = validation.Agents.Select(a => (IReadOnlyList<bool>)a.Base.Select(r => r.Correct).ToArray()).ToList();
        var (mf, logistic) = routers ?? (MatrixFactorizationRouter.Fit(valQueries, valCorrect, features, seed: seed), LogisticRouter.Fit(valQueries, valCorrect, features, seed: seed));

        var queries = graded.Set.Queries;
        int n = queries.Count, agents = graded.Agents.Count;
        var routed = queries.Select(q => new RoutedQuery(q.Question, q.Family, q.Difficulty)).ToList();
        var pMf = routed.Select(mf.Predict).ToArray();        // (N, K)
        var pLog = routed.Select(logistic.Predict).ToArray(); // (N, K)
        var costs = graded.Agents.Select(a => a.Cost).ToArray();

        bool Answers(int k, int i, double alpha) => RoutingReport.Answers(graded.Agents[k].RlThresholds, graded.Agents[k].Rl[alpha][i], alpha);
        bool Own(int k, int i, double alpha) => graded.Agents[k].Rl[alpha][i].Correct;
        double Rate(IEnumerable<int> rows, Func<int, bool> f) => rows.Average(i => f(i) ? 1.0 : 0.0);

        var cells = new List<DiagnosisCell>();
        var byCell = Enumerable.Range(0, n).GroupBy(i => (queries[i].Family, queries[i].Difficulty)).OrderBy(g => g.Key.Family, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Difficulty, StringComparer.Ordinal).ToList();
        double own = alphas.Contains(0.5) ? 0.5 : alphas[0];
        for (int k = 0; k < agents - 1; k++)
            foreach (var g in byCell)
            {
                var rows = g.ToArray();
                cells.Add(new DiagnosisCell(graded.Agents[k].Name, g.Key.Family, g.Key.Difficulty, rows.Length,
                    Rate(rows, i => Own(k, i, own)), Rate(rows, i => graded.Agents[k].Base[i].Correct),
                    alphas.Select(a => Rate(rows, i => Answers(k, i, a))).ToArray(),
                    alphas.Select(a => Rate(rows, i => Answers(k, i, a) && !Own(k, i, a))).ToArray(),
                    alphas.Select(a => Rate(rows, i => !Answers(k, i, a) && Own(k, i, a))).ToArray(),
                    rows.Average(i => pMf[i][k]), rows.Average(i => pLog[i][k])));
            }

        var all = Enumerable.Range(0, n).ToArray();
        var agentRows = Enumerable.Range(0, agents - 1).Select(k =>
        {
            var ownLabels = all.Select(i => Own(k, i, own)).ToArray();
            return new DiagnosisAgent(graded.Agents[k].Name,
                alphas.Select(a => Auc(all.Select(i => graded.Agents[k].Rl[a][i].LogitGap).ToArray(), all.Select(i => Own(k, i, a)).ToArray())).ToArray(),
                Auc(all.Select(i => pMf[i][k]).ToArray(), ownLabels), Auc(all.Select(i => pLog[i][k]).ToArray(), ownLabels),
                alphas.Select(a => Rate(all, i => Answers(k, i, a) != Own(k, i, a))).ToArray(),
                alphas.Select(a => Rate(all, i => graded.Agents[k].Rl[a][i].GreedyAnswers != Own(k, i, a))).ToArray(),
                alphas.Select(a => BestThresholdError(all.Select(i => graded.Agents[k].Rl[a][i].LogitGap).ToArray(), all.Select(i => Own(k, i, a)).ToArray())).ToArray());
        }).ToList();

        // Per α and query: where the cascade stops, its utility, MF's utility, and the first misjudgement on the way down.
        var blame = new List<DiagnosisBlame>();
        var gaps = new List<DiagnosisCellGap>();
        foreach (var alpha in alphas)
        {
            var uCascade = new double[n];
            var uMf = new double[n];
            var first = new (int Agent, string Kind)[n];
            for (int i = 0; i < n; i++)
            {
                first[i] = (-1, "no misjudgement");
                int j = 0;
                for (; j < agents - 1; j++)
                {
                    bool answers = Answers(j, i, alpha), right = Own(j, i, alpha);
                    if (first[i].Agent < 0 && answers != right) first[i] = (j, answers ? "answered wrong" : "rejected right");
                    if (answers) break;
                }
                uCascade[i] = (Own(j, i, alpha) ? 1 : 0) - alpha * costs[j];
                int m = UtilityChoice.Pick(pMf[i], costs, alpha);
                uMf[i] = (graded.Agents[m].Base[i].Correct ? 1 : 0) - alpha * costs[m];
            }
            foreach (var g in Enumerable.Range(0, n).GroupBy(i => first[i]).OrderBy(g => g.Key.Agent).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
                blame.Add(new DiagnosisBlame(alpha, g.Key.Agent < 0 ? "—" : graded.Agents[g.Key.Agent].Name, g.Key.Kind,
                    g.Count() / (double)n, g.Sum(i => uMf[i] - uCascade[i]) / n));
            foreach (var g in byCell)
                gaps.Add(new DiagnosisCellGap(alpha, g.Key.Family, g.Key.Difficulty, g.Count(), g.Average(i => uCascade[i]), g.Average(i => uMf[i]),
                    g.Sum(i => uMf[i] - uCascade[i]) / n));
        }
        return new DiagnosisResult(graded.Set.Name, n, alphas, cells, agentRows, blame, gaps);
    }

    /// <summary>Area under the ROC curve of <paramref name="score"/> for <paramref name="label"/> (ties count half); NaN with one class only.</summary>
    public static double Auc(double[] score, bool[] label)
    {
        long pos = label.Count(l => l), neg = label.Length - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        // Mann–Whitney U from mid-ranks.
        var order = Enumerable.Range(0, score.Length).OrderBy(i => score[i]).ToArray();
        var rank = new double[score.Length];
        for (int s = 0; s < order.Length;)
        {
            int e = s;
            while (e + 1 < order.Length && score[order[e + 1]] == score[order[s]]) e++;
            for (int t = s; t <= e; t++) rank[order[t]] = (s + e) / 2.0 + 1;
            s = e + 1;
        }
        double sumPos = Enumerable.Range(0, score.Length).Where(i => label[i]).Sum(i => rank[i]);
        return (sumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>The least share of errors of "answer iff score ≥ θ" over every θ (answering all and none included).</summary>
    public static double BestThresholdError(double[] score, bool[] label)
    {
        var order = Enumerable.Range(0, score.Length).OrderByDescending(i => score[i]).ToArray();
        int errors = label.Count(l => l); // θ above every score: all declined, every right one is an error
        int best = errors;
        for (int s = 0; s < order.Length;)
        {
            int e = s;
            while (e + 1 < order.Length && score[order[e + 1]] == score[order[s]]) e++;
            for (int t = s; t <= e; t++) errors += label[order[t]] ? -1 : 1;
            best = Math.Min(best, errors);
            s = e + 1;
        }
        return best / (double)score.Length;
    }
}
