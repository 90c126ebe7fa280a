using System.Diagnostics;
using DiSRouter.Core.Evaluation;
using DiSRouter.Core.Evaluation.Metrics;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>One method at one α on one query set (and agent subset): per query, where it went, whether the answer was right, its cost and model time.</summary>
internal sealed record PolicyRun(string Method, string Split, string Subset, double Alpha, int[] RoutedTo, bool[] Correct, double[] Cost, double[] LatencyMs)
{
    public double Accuracy => Correct.Average(c => c ? 1.0 : 0.0);
    public double MeanCost => Cost.Average();
    public double Utility => Accuracy - Alpha * MeanCost;
    public double[] PerQueryUtility => Correct.Select((c, i) => (c ? 1.0 : 0.0) - Alpha * Cost[i]).ToArray();
}

/// <summary>A method's row at one named α: utility, Oracle share, and the paired-bootstrap interval of (self-aware cascade − method).</summary>
internal sealed record MethodRow(string Method, string Split, string Subset, double Alpha, double Accuracy, double Cost, double Utility, double OracleShare,
    double P50Ms, double P99Ms, Interval? VersusDiSRouter, IReadOnlyList<double> RoutingShare);

/// <summary>A method's whole α sweep on one set: AIQ, APGR and CPT(50 %), CPT(80 %) with the cheapest and dearest agents as weak and strong.</summary>
internal sealed record CurveRow(string Method, string Split, string Subset, double Aiq, double Apgr, double? Cpt50, double? Cpt80, IReadOnlyList<CostAccuracy> Points);

internal sealed record MethodInfo(string Method, string Kind, string TrainedOn);

internal sealed record RoutingReportResult
{
    public IReadOnlyList<string> Agents { get; init; } = [];
    public IReadOnlyList<double> Costs { get; init; } = [];
    public IReadOnlyList<double> Alphas { get; init; } = [];
    public IReadOnlyDictionary<string, int> SetSizes { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<MethodInfo> Methods { get; init; } = [];
    public IReadOnlyList<MethodRow> Rows { get; init; } = [];
    public IReadOnlyList<CurveRow> Curves { get; init; } = [];

    /// <summary>Per agent, per sweep α: the served checkpoint's answer rate on test (calibrated, and greedy).</summary>
    public IReadOnlyList<(string Agent, double Alpha, double Calibrated, double Greedy)> AnswerRates { get; init; } = [];

    /// <summary>Share of test queries on which a served checkpoint's answer at α = 0.2 and at α = 0.8 are graded alike (the sweep's answer reuse).</summary>
    public IReadOnlyList<(string Agent, double Agreement)> AnswerAgreement { get; init; } = [];

    /// <summary>Spread of the learned routers' test utility over router seeds (method, α, mean, min, max).</summary>
    public IReadOnlyList<(string Method, double Alpha, double Mean, double Min, double Max)> SeedSpread { get; init; } = [];

    /// <summary>What Self-Route's primary states, scored on test: family and difficulty accuracy.</summary>
    public (double Family, double Difficulty) SelfRouteStatement { get; init; }

    public IReadOnlyDictionary<string, string> Tuned { get; init; } = new Dictionary<string, string>();

    /// <summary>The cascade's test utility with thresholds recalibrated on validation (draw 0) and on bootstrap resamples of it; empty unless validation decisions were measured.</summary>
    public IReadOnlyList<(int Draw, double Alpha, double Utility)> Recalibration { get; init; } = [];
    public int RouterSeeds { get; init; }
    public double MeasureSeconds { get; init; }
    public double WallSeconds { get; init; }
    public int CacheHits { get; init; }
    public int CacheMisses { get; init; }
}

/// <summary>
/// Every routing method on the measured pool: tuned or trained on the validation split only, graded on test, out of
/// domain, the fresh test draw, and on agent subsets without retraining. The self-aware cascade ("disrouter") is the
/// served checkpoints deciding by their calibrated thresholds; "disrouter-greedy" the same checkpoints deciding by their
/// most likely first token, the mechanism as published.
/// </summary>
internal sealed class RoutingReport(RoutingReportOptions options)
{
    public const string DiSRouter = "disrouter";
    public const string DiSRouterGreedy = "disrouter-greedy";
    public const string DiSRouterSft = "disrouter-sft";
    public const string DiSRouterSftGreedy = "disrouter-sft-greedy";
    public const string Oracle = "oracle";
    public const string BestFixed = "best-fixed";
    public const string Logistic = "logistic-ngram";
    public const string Mf = "mf";
    public const string Knn = "knn";
    public const string Lookup = "lookup-ceiling";
    public const string SelfRoute = "self-route";
    public const string Confidence = "confidence-cascade";
    public const string Frugal = "frugal-cascade";
    public const string AllAgents = "all";

    /// <summary>Router seeds for the learned routers' spread (the first is the one reported in the tables).</summary>
    public const int RouterSeeds = 3;

    public RoutingReportOptions Options { get; } = options;

    /// <summary>
    /// What is measured: base replies on every set; the served (RL) checkpoints decide and answer at the named α on
    /// test, out of domain and the fresh draw (on validation too with ValidationDecisions) and decide alone at the sweep's
    /// other α; the SFT checkpoints at the named α on test with Sft.
    /// </summary>
    public static IReadOnlyList<MeasurementPlan> Plans(RoutingQuerySets sets, RoutingReportOptions options)
    {
        var named = RoutingReportOptions.Named;
        var between = options.Alphas.Where(a => !named.Any(n => Math.Abs(n - a) < 1e-9)).ToArray();
        return
        [
            new MeasurementPlan(sets.Validation, options.ValidationDecisions ? named : [], [], []),
            new MeasurementPlan(sets.Test, named, between, options.Sft ? named : []),
            new MeasurementPlan(sets.OutOfDomain, named, between, []),
            new MeasurementPlan(sets.Fresh, named, between, []),
        ];
    }

    public RoutingReportResult Run(IReadOnlyList<SetMeasurements> measured)
    {
        var validation = measured.Single(m => m.Set.Name == RoutingQuerySets.ValidationName);
        var graded = measured.Where(m => m.Set.Name != RoutingQuerySets.ValidationName).ToList();
        var agents = validation.Agents.Select(a => a.Name).ToList();
        var costs = validation.Agents.Select(a => a.Cost).ToArray();
        var features = new NGramFeatures();
        var valQueries = Routed(validation);
        var valCorrect = validation.Agents.Select(a => (IReadOnlyList<bool>)a.Base.Select(r => r.Correct).ToArray()).ToList();

        // ---- central routers, trained on validation (seed 0 in the tables; more seeds for the spread)
        var routers = new Dictionary<string, ICorrectnessModel>[RouterSeeds];
        for (int s = 0; s < RouterSeeds; s++)
            routers[s] = new()
            {
                [Logistic] = LogisticRouter.Fit(valQueries, valCorrect, features, seed: Options.Seed + s),
                [Mf] = MatrixFactorizationRouter.Fit(valQueries, valCorrect, features, seed: Options.Seed + s),
                [SelfRoute] = new SelfRouteRouter(valQueries, valCorrect, features, seed: Options.Seed + s),
            };
        routers[0][Knn] = KnnRouter.Fit(valQueries, valCorrect, features);
        routers[0][Lookup] = new LookupRouter(valQueries, valCorrect);
        var tuned = new Dictionary<string, string>
        {
            [Logistic] = $"L2 = {((LogisticRouter)routers[0][Logistic]).L2:g} (5-fold CV log loss on validation over {string.Join(", ", LogisticRouter.L2Grid)})",
            [Knn] = $"k = {((KnnRouter)routers[0][Knn]).K} (leave-one-out log loss on validation over {string.Join(", ", KnnRouter.KGrid)})",
        };

        // ---- FrugalGPT's scorer: out-of-fold scores on validation to tune thresholds, the full fit for the graded sets
        var scorers = validation.Agents.Select((a, k) => AnswerScorer.Fit(ScorerInputs(validation, k), valCorrect[k], features, seed: Options.Seed)).ToArray();
        var valScores = validation.Agents.Select((a, k) => (IReadOnlyList<double>)AnswerScorer.OutOfFold(ScorerInputs(validation, k), valCorrect[k], features, seed: Options.Seed)).ToList();
        var valConfidence = validation.Agents.Select(a => (IReadOnlyList<double>)a.Base.Select(r => r.MeanLogProb).ToArray()).ToList();

        var subsets = new List<(string Name, int[] Agents)> { (AllAgents, Enumerable.Range(0, agents.Count).ToArray()) };
        foreach (var names in new[] { new[] { "nano-2", "nano-3", "nano-5" }, ["nano-1", "nano-3", "nano-5"] })
            if (names.All(agents.Contains) && names.Length < agents.Count)
                subsets.Add((string.Join(",", names.Select(n => n.Replace("nano-", ""))), names.Select(n => agents.IndexOf(n)).ToArray()));

        // Cascade thresholds depend on validation, the subset and α only: tuned once, used on every graded set.
        var thresholds = new Dictionary<(string, string, double), double[]>();
        double[] Tuned(string method, string subset, double alpha, Func<double[]> tune) =>
            thresholds.TryGetValue((method, subset, alpha), out var t) ? t : thresholds[(method, subset, alpha)] = tune();

        var rows = new List<MethodRow>();
        var curves = new List<CurveRow>();
        var methods = new List<MethodInfo>();
        var spread = new List<(string, double, double, double, double)>();
        foreach (var set in graded)
        {
            var queries = Routed(set);
            var routerMs = new Dictionary<string, double[]>();
            var predictions = routers[0].ToDictionary(r => r.Key, r => Predict(r.Value, queries, out var ms, routerMs, r.Key));
            var testScores = set.Agents.Select((a, k) => (IReadOnlyList<double>)ScorerInputs(set, k).Select(scorers[k].Score).ToArray()).ToList();
            var testConfidence = set.Agents.Select(a => (IReadOnlyList<double>)a.Base.Select(r => r.MeanLogProb).ToArray()).ToList();
            foreach (var (subsetName, members) in subsets)
            {
                if (subsetName != AllAgents && set.Set.Name != RoutingQuerySets.TestName) continue;
                var runs = new List<PolicyRun>();
                foreach (var alpha in Options.Alphas)
                {
                    var world = new World(set, members, alpha, set.Set.Name, subsetName);
                    foreach (var k in members) runs.Add(world.Fixed(k));
                    runs.Add(world.Oracle());
                    // Best fixed agent: the one of highest validation utility at this α.
                    int bestK = members.MaxBy(k => valCorrect[k].Average(c => c ? 1.0 : 0.0) - alpha * costs[k]);
                    runs.Add(world.Fixed(bestK) with { Method = BestFixed });
                    foreach (var (name, p) in predictions)
                        runs.Add(world.Central(name, p, routerMs[name], name == SelfRoute ? SelfRouteCallMs(set, members[0]) : null));
                    runs.Add(world.Cascade(Confidence, testConfidence, Tuned(Confidence, subsetName, alpha, () => ThresholdCascade.Tune(Pick(valConfidence, members), Pick(valCorrect, members), Pick(costs, members), alpha))));
                    runs.Add(world.Cascade(Frugal, testScores, Tuned(Frugal, subsetName, alpha, () => ThresholdCascade.Tune(Pick(valScores, members), Pick(valCorrect, members), Pick(costs, members), alpha))));
                    if (world.SelfAware(DiSRouter, rl: true, greedy: false) is { } d) runs.Add(d);
                    if (world.SelfAware(DiSRouterGreedy, rl: true, greedy: true) is { } g) runs.Add(g);
                    if (world.SelfAware(DiSRouterSft, rl: false, greedy: false) is { } ds) runs.Add(ds);
                    if (world.SelfAware(DiSRouterSftGreedy, rl: false, greedy: true) is { } gs) runs.Add(gs);
                }
                Summarise(runs, set.Set.Name, subsetName, agents, members, costs, rows, curves);
            }
            // Seed spread of the routers that draw at random (test, all agents, named α).
            if (set.Set.Name == RoutingQuerySets.TestName)
                foreach (var name in new[] { Logistic, Mf, SelfRoute })
                    foreach (var alpha in RoutingReportOptions.Named)
                    {
                        var world = new World(set, Enumerable.Range(0, agents.Count).ToArray(), alpha, set.Set.Name, AllAgents);
                        var u = routers.Select(r => world.Central(name, Predict(r[name], queries, out _, null, name), new double[queries.Count], null).Utility).ToArray();
                        spread.Add((name, alpha, u.Average(), u.Min(), u.Max()));
                    }
        }

        var test = graded.Single(m => m.Set.Name == RoutingQuerySets.TestName);
        var recalibration = validation.Agents.All(a => RoutingReportOptions.Named.All(a.Rl.ContainsKey)) ? Recalibrate(validation, test) : [];
        var answerRates = new List<(string, double, double, double)>();
        // The last agent's decision is never read (and, by default, measured at one α only): no answer rate for it.
        foreach (var (a, k) in test.Agents.Select((a, k) => (a, k)).SkipLast(1))
            foreach (var alpha in Options.Alphas)
            {
                var d = a.Rl[alpha];
                answerRates.Add((a.Name, alpha, d.Average(x => Answers(a.RlThresholds, x, alpha) ? 1.0 : 0.0), d.Average(x => x.GreedyAnswers ? 1.0 : 0.0)));
            }
        var agreement = test.Agents.SkipLast(1).Select(a => (a.Name, Enumerable.Range(0, test.Set.Queries.Count)
            .Average(i => a.Rl[0.2][i].Correct == a.Rl[0.8][i].Correct ? 1.0 : 0.0))).ToList();
        var selfRoute = (SelfRouteRouter)routers[0][SelfRoute];
        var statements = test.Set.Queries.Select(q => selfRoute.State(q.Question)).ToList();

        methods.AddRange(MethodInfos(agents, test.Agents.Any(a => a.Sft.Count > 0)));
        return new RoutingReportResult
        {
            Agents = agents,
            Costs = costs,
            Alphas = Options.Alphas,
            SetSizes = measured.ToDictionary(m => m.Set.Name, m => m.Set.Queries.Count),
            Methods = methods,
            Rows = rows,
            Curves = curves,
            AnswerRates = answerRates,
            AnswerAgreement = agreement,
            SeedSpread = spread,
            SelfRouteStatement = (statements.Select((s, i) => s.Family == test.Set.Queries[i].Family ? 1.0 : 0.0).Average(),
                statements.Select((s, i) => s.Difficulty == test.Set.Queries[i].Difficulty ? 1.0 : 0.0).Average()),
            Tuned = tuned,
            RouterSeeds = RouterSeeds,
            Recalibration = recalibration,
        };
    }

    private void Summarise(List<PolicyRun> runs, string split, string subset, IReadOnlyList<string> agents, int[] members, double[] costs, List<MethodRow> rows, List<CurveRow> curves)
    {
        // The cheapest and the dearest member alone: the same point at every α.
        var weak = runs.First(r => r.Method == agents[members[0]]);
        var strong = runs.First(r => r.Method == agents[members[^1]]);
        var weakPoint = new CostAccuracy(weak.MeanCost, weak.Accuracy);
        var strongPoint = new CostAccuracy(strong.MeanCost, strong.Accuracy);
        foreach (var method in runs.Select(r => r.Method).Distinct())
        {
            var points = runs.Where(r => r.Method == method).Select(r => new CostAccuracy(r.MeanCost, r.Accuracy)).ToList();
            // No gap between weak and strong (a pool whose members are equally right): nothing to recover, no APGR or CPT.
            bool gap = Math.Abs(strongPoint.Accuracy - weakPoint.Accuracy) > 1e-12;
            curves.Add(new CurveRow(method, split, subset, Frontier.Aiq(points, costs[members[0]], costs[members[^1]]),
                gap ? Frontier.Apgr(points, weakPoint, strongPoint) : double.NaN,
                gap ? Frontier.Cpt(points, weakPoint, strongPoint, 0.5) : null, gap ? Frontier.Cpt(points, weakPoint, strongPoint, 0.8) : null, points));
        }
        foreach (var alpha in RoutingReportOptions.Named)
        {
            var at = runs.Where(r => Math.Abs(r.Alpha - alpha) < 1e-9).ToList();
            var oracle = at.Single(r => r.Method == Oracle);
            var reference = at.SingleOrDefault(r => r.Method == DiSRouter);
            foreach (var r in at)
            {
                Interval? versus = reference is null || r.Method == DiSRouter ? null
                    : PairedBootstrap.Difference(reference.PerQueryUtility, r.PerQueryUtility, Options.BootstrapResamples,
                        (ulong)(Options.Seed + 1) * 7919 + (ulong)Math.Round(alpha * 100));
                var share = members.Select(k => r.RoutedTo.Count(x => x == k) / (double)r.RoutedTo.Length).ToList();
                rows.Add(new MethodRow(r.Method, split, subset, alpha, r.Accuracy, r.MeanCost, r.Utility, oracle.Utility == 0 ? 0 : r.Utility / oracle.Utility,
                    Percentile.Of(r.LatencyMs, 0.5), Percentile.Of(r.LatencyMs, 0.99), versus, share));
            }
        }
    }

    private static IEnumerable<MethodInfo> MethodInfos(IReadOnlyList<string> agents, bool sft)
    {
        foreach (var a in agents) yield return new MethodInfo(a, "fixed agent", "nothing");
        yield return new MethodInfo(BestFixed, "fixed agent", "the agent of highest validation utility at each α");
        yield return new MethodInfo(Logistic, "central router (RouteLLM-style classifier)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(Mf, "central router (RouteLLM MF)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(Knn, "central router (kNN)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(SelfRoute, "central router (Self-Route analogue)", "validation: family/difficulty heads and the measured profile registry");
        yield return new MethodInfo(Lookup, "ceiling: told family and difficulty", "validation: accuracy per family × difficulty");
        yield return new MethodInfo(Confidence, "cascade (answer, then mean token log-prob ≥ θ_k)", "validation: θ per agent and α");
        yield return new MethodInfo(Frugal, "cascade (FrugalGPT-style scorer of query + answer)", "validation: scorer (5-fold out-of-fold scores for tuning), θ per agent and α");
        yield return new MethodInfo(DiSRouter, "self-aware cascade, calibrated (served)", "own samples (train split) for SFT/RL; thresholds on validation (calibrate)");
        yield return new MethodInfo(DiSRouterGreedy, "self-aware cascade, greedy decisions (as published)", "own samples (train split) for SFT/RL");
        if (sft)
        {
            yield return new MethodInfo(DiSRouterSft, "self-aware cascade, SFT only, calibrated", "own samples; thresholds on validation");
            yield return new MethodInfo(DiSRouterSftGreedy, "self-aware cascade, SFT only, greedy", "own samples");
        }
        yield return new MethodInfo(Oracle, "utility optimum", "the test labels (a bound, not a method)");
    }

    // Self-Route's router call: the smallest member's prompt pass over the query (its served checkpoint's decision pass at
    // α = 0.5, the same prompt length give or take the scenario's few tokens).
    private static double[] SelfRouteCallMs(SetMeasurements set, int smallest) => set.Agents[smallest].Rl[0.5].Select(d => d.DecisionMs).ToArray();

    /// <summary>Resamples of validation drawn for the recalibration spread (the first is validation itself).</summary>
    public const int CalibrationDraws = 4;

    /// <summary>
    /// The served checkpoints' thresholds recalibrated at the named α (calibrate's rule: per α the logit-gap cut that
    /// maximises the agent's own reward with γ = 0.5, answers never fewer as α rises) on validation and on bootstrap
    /// resamples of it, then the cascade on test with each: how much the calibration alone moves the result.
    /// </summary>
    private List<(int Draw, double Alpha, double Utility)> Recalibrate(SetMeasurements validation, SetMeasurements test)
    {
        var result = new List<(int, double, double)>();
        int n = validation.Set.Queries.Count;
        var reward = new SelfAwarenessReward(SelfAwarenessReward.DefaultGamma);
        var all = Enumerable.Range(0, test.Agents.Count).ToArray();
        for (int draw = 0; draw < CalibrationDraws; draw++)
        {
            var rng = new Core.Tasks.StableRandom((ulong)(Options.Seed + 1) * 104729 + (ulong)draw);
            var sample = draw == 0 ? Enumerable.Range(0, n).ToArray() : Enumerable.Range(0, n).Select(_ => rng.Next(n)).ToArray();
            var cuts = validation.Agents.Select(a => CalibrationStage.Points(RoutingReportOptions.Named.Select(alpha => new CalibrationRecord("recalibration", alpha,
                sample.Select(i => a.Rl[alpha][i].LogitGap).ToArray(), sample.Select(i => a.Rl[alpha][i].GreedyAnswers).ToArray(),
                sample.Select(i => a.Rl[alpha][i].Correct).ToArray())).ToList(), reward)).ToArray();
            foreach (var (alpha, j) in RoutingReportOptions.Named.Select((x, j) => (x, j)))
            {
                var run = new World(test, all, alpha, test.Set.Name, AllAgents).SelfAware(DiSRouter, rl: true, greedy: false, (k, d) => d.LogitGap >= cuts[k][j].LogitGap);
                result.Add((draw, alpha, run!.Utility));
            }
        }
        return result;
    }

    private static double[][] Predict(ICorrectnessModel model, IReadOnlyList<RoutedQuery> queries, out double[] ms, Dictionary<string, double[]>? sink, string name)
    {
        ms = new double[queries.Count];
        var p = new double[queries.Count][];
        for (int i = 0; i < queries.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            p[i] = model.Predict(queries[i]);
            ms[i] = clock.Elapsed.TotalMilliseconds;
        }
        if (sink is not null) sink[name] = ms;
        return p;
    }

    private static List<RoutedQuery> Routed(SetMeasurements m) => m.Set.Queries.Select(q => new RoutedQuery(q.Question, q.Family, q.Difficulty)).ToList();

    private static List<AnswerScorer.Input> ScorerInputs(SetMeasurements m, int k) =>
        m.Set.Queries.Select((q, i) => new AnswerScorer.Input(q.Question, m.Agents[k].Base[i].Text, m.Agents[k].Base[i].MeanLogProb, m.Agents[k].Base[i].CompletionTokens)).ToList();

    private static IReadOnlyList<T> Pick<T>(IReadOnlyList<T> all, int[] members) => members.Select(k => all[k]).ToArray();

    internal static bool Answers(Models.Checkpoints.DecisionThresholds? thresholds, MeasuredDecision d, double alpha) =>
        thresholds?.Answers(d.LogitGap, alpha) ?? d.GreedyAnswers;

    /// <summary>One query set, agent subset and α: turns each method's choices into a <see cref="PolicyRun"/>.</summary>
    private sealed class World(SetMeasurements set, int[] members, double alpha, string split, string subset)
    {
        private readonly int _n = set.Set.Queries.Count;
        private IReadOnlyList<AgentMeasurements> Agents => set.Agents;

        private PolicyRun Make(string method, int[] routed, double[] cost, double[] latency) =>
            new(method, split, subset, alpha, routed, routed.Select((k, i) => Agents[k].Base[i].Correct).ToArray(), cost, latency);

        public PolicyRun Fixed(int k) => Make(Agents[k].Name, Enumerable.Repeat(k, _n).ToArray(), Enumerable.Repeat(Agents[k].Cost, _n).ToArray(),
            Agents[k].Base.Select(r => r.ModelMs).ToArray());

        /// <summary>The utility optimum: the cheapest agent that answers right; the cheapest of all when none does.</summary>
        public PolicyRun Oracle()
        {
            var routed = Enumerable.Range(0, _n).Select(i => members.FirstOrDefault(k => Agents[k].Base[i].Correct, members[0])).ToArray();
            return Make(RoutingReport.Oracle, routed, routed.Select(k => Agents[k].Cost).ToArray(), routed.Select((k, i) => Agents[k].Base[i].ModelMs).ToArray());
        }

        /// <summary>A central router: each query to the member of highest predicted p − α·c; its time and any router call's time added.</summary>
        public PolicyRun Central(string method, double[][] predicted, double[] routerMs, double[]? callMs)
        {
            var costs = members.Select(k => Agents[k].Cost).ToArray();
            var routed = Enumerable.Range(0, _n).Select(i => members[UtilityChoice.Pick(members.Select(k => predicted[i][k]).ToArray(), costs, alpha)]).ToArray();
            return Make(method, routed, routed.Select(k => Agents[k].Cost).ToArray(),
                routed.Select((k, i) => Agents[k].Base[i].ModelMs + routerMs[i] + (callMs?[i] ?? 0)).ToArray());
        }

        /// <summary>An answer-then-score cascade over the members: every member asked generated an answer, so cost and time add up.</summary>
        public PolicyRun Cascade(string method, IReadOnlyList<IReadOnlyList<double>> scores, double[] thresholds)
        {
            var local = ThresholdCascade.Route(members.Select(k => scores[k]).ToArray(), thresholds);
            var routed = local.Select(j => members[j]).ToArray();
            var cost = ThresholdCascade.Costs(local, members.Select(k => Agents[k].Cost).ToArray());
            var latency = local.Select((j, i) => members.Take(j + 1).Sum(k => Agents[k].Base[i].ModelMs)).ToArray();
            return Make(method, routed, cost, latency);
        }

        /// <summary>
        /// The self-aware cascade: the first member that answers takes the query (the last always answers) with its own
        /// answer; every member that declined spent a prompt pass (time, no cost). Null when this α was not measured.
        /// </summary>
        public PolicyRun? SelfAware(string method, bool rl, bool greedy, Func<int, MeasuredDecision, bool>? decide = null)
        {
            var decisions = members.Select(k => rl ? Agents[k].Rl : Agents[k].Sft).ToArray();
            if (decisions.Any(d => !d.ContainsKey(alpha))) return null;
            var thresholds = members.Select(k => rl ? Agents[k].RlThresholds : Agents[k].SftThresholds).ToArray();
            var routed = new int[_n];
            var correct = new bool[_n];
            var latency = new double[_n];
            for (int i = 0; i < _n; i++)
            {
                int j = 0;
                double ms = 0;
                for (; j < members.Length - 1; j++)
                {
                    var d = decisions[j][alpha][i];
                    ms += d.DecisionMs;
                    if (decide is not null ? decide(members[j], d) : greedy ? d.GreedyAnswers : Answers(thresholds[j], d, alpha)) break;
                }
                if (j == members.Length - 1) ms += decisions[j][alpha][i].DecisionMs;
                var answer = AnswerAt(decisions[j], alpha)[i];
                routed[i] = members[j];
                correct[i] = answer.Correct;
                latency[i] = ms + answer.AnswerMs;
            }
            return new PolicyRun(method, split, subset, alpha, routed, correct, routed.Select(k => Agents[k].Cost).ToArray(), latency);
        }

        // The answer at α, or where only the decision was measured there, the answer at the nearest α that has one (the lower on a tie).
        private static MeasuredDecision[] AnswerAt(IReadOnlyDictionary<double, MeasuredDecision[]> decisions, double alpha) =>
            decisions[alpha][0].HasAnswer ? decisions[alpha]
            : decisions.Where(d => d.Value[0].HasAnswer).OrderBy(d => Math.Abs(d.Key - alpha)).ThenBy(d => d.Key).First().Value;
    }
}
