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

/// <summary>A decision-rule ablation against one strong baseline at a named α: U(method) − U(baseline) with its paired-bootstrap 95 % interval.</summary>
internal sealed record VersusRow(string Method, string Baseline, string Split, string Subset, double Alpha, Interval Difference);

/// <summary>
/// One deciding agent's probe of its own state (<see cref="SelfKnowledgeProbe"/>): what it reads (<see cref="RoutingReport.ProbeFeatures"/>),
/// its size, training rows and their share right, the L2 chosen and its cross-validated log loss, and per named α the AUC
/// of the logit gap and of the probe's score against the agent's own correctness, on validation and on test.
/// </summary>
internal sealed record ProbeAgent(string Agent, string Features, int Dimensions, int TrainRows, double TrainRight, double L2, double CvLogLoss,
    double[] GapAucValidation, double[] ProbeAucValidation, double[] GapAucTest, double[] ProbeAucTest);

/// <summary>
/// The two rules the gateway serves (its Rule setting) at one named α: the threshold cascade and the auction, graded on
/// validation (where the default is chosen; the auction's bids out of fold) and on test (the served bid scales).
/// </summary>
internal sealed record ServedRuleRow(double Alpha, double CascadeValidation, double AuctionValidation, Interval AuctionOverCascade, double CascadeTest, double AuctionTest);

internal sealed record RoutingReportResult
{
    public IReadOnlyList<string> Agents { get; init; } = [];
    public IReadOnlyList<double> Costs { get; init; } = [];
    public IReadOnlyList<double> Alphas { get; init; } = [];
    public IReadOnlyDictionary<string, int> SetSizes { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<MethodInfo> Methods { get; init; } = [];
    public IReadOnlyList<MethodRow> Rows { get; init; } = [];

    /// <summary>Per training seed of the self-aware agents (its models folder), per rule and named α: the cascade's test utility; empty without validation decisions.</summary>
    public IReadOnlyList<(string Seed, string Method, double Alpha, double Utility)> TrainingSeeds { get; init; } = [];

    /// <summary>Per rule (calibrated, greedy, bids) and named α: SFT+RL minus SFT alone on test, pooled over the training seeds that have both.</summary>
    public IReadOnlyList<(string Rule, double Alpha, int Seeds, Interval Difference)> PooledRlOverSft { get; init; } = [];

    /// <summary>Each decision-rule ablation against the strongest baselines, per set, subset and named α.</summary>
    public IReadOnlyList<VersusRow> Versus { get; init; } = [];
    public IReadOnlyList<CurveRow> Curves { get; init; } = [];

    /// <summary>Per agent, per sweep α: the served checkpoint's answer rate on test (calibrated, and greedy).</summary>
    public IReadOnlyList<(string Agent, double Alpha, double Calibrated, double Greedy)> AnswerRates { get; init; } = [];

    /// <summary>Share of test queries on which a served checkpoint's answer at α = 0.2 and at α = 0.8 are graded alike (the sweep's answer reuse).</summary>
    public IReadOnlyList<(string Agent, double Agreement)> AnswerAgreement { get; init; } = [];

    /// <summary>Spread of the learned routers' test utility over router seeds (method, α, mean, min, max).</summary>
    public IReadOnlyList<(string Method, double Alpha, double Mean, double Min, double Max)> SeedSpread { get; init; } = [];

    /// <summary>Per named α, the agents a cheapest-first auction of the bids asks per query on test (<see cref="BidPasses"/>); empty without bids.</summary>
    public IReadOnlyList<(double Alpha, double MeanAsked)> BidAsked { get; init; } = [];

    /// <summary>What Self-Route's primary states, scored on test: family and difficulty accuracy.</summary>
    public (double Family, double Difficulty) SelfRouteStatement { get; init; }

    public IReadOnlyDictionary<string, string> Tuned { get; init; } = new Dictionary<string, string>();

    /// <summary>The decision cuts chosen on validation per (method, subset, named α) for the rows beyond the served ones; empty unless validation decisions were measured.</summary>
    public IReadOnlyDictionary<(string Method, string Subset, double Alpha), NetworkCuts> Cuts { get; init; } = new Dictionary<(string, string, double), NetworkCuts>();

    /// <summary>Per deciding agent and named α, the served checkpoint's own calibrated cut (decision.json), where it has one.</summary>
    public IReadOnlyDictionary<(int Agent, double Alpha), double> OwnCuts { get; init; } = new Dictionary<(int, double), double>();

    /// <summary>Per deciding agent, the probe of its own state and how well it and the logit gap rank its own correctness; empty without --probe.</summary>
    public IReadOnlyList<ProbeAgent> Probes { get; init; } = [];

    /// <summary>The cascade's test utility with thresholds recalibrated on validation (draw 0) and on bootstrap resamples of it; empty unless validation decisions were measured.</summary>
    public IReadOnlyList<(int Draw, double Alpha, double Utility)> Recalibration { get; init; } = [];

    /// <summary>
    /// The calibration's γ swept: per γ and named α, the cascade with every deciding agent's own-reward cuts recalibrated
    /// on validation with that γ, its utility on validation (where a γ would be chosen) and on test; empty unless validation
    /// decisions were measured.
    /// </summary>
    public IReadOnlyList<(double Gamma, double Alpha, double Validation, double Test)> GammaSweep { get; init; } = [];

    /// <summary>The served rule chosen on validation: per named α, the cascade and the auction; empty unless validation decisions were measured.</summary>
    public IReadOnlyList<ServedRuleRow> ServedRule { get; init; } = [];

    /// <summary>Per kind of model pass: how many the report reads, and the model time their records hold (the run that measured them).</summary>
    public IReadOnlyList<(string Kind, int Passes, double ModelSeconds)> MeasurementCost { get; init; } = [];

    /// <summary>This run's own measuring, per kind of pass (cache misses only; empty on a warm run).</summary>
    public IReadOnlyList<MeasuringCost> MeasuringCosts { get; init; } = [];

    public int RouterSeeds { get; init; }

    /// <summary>Every method graded on the served checkpoints' own answers (<see cref="RoutingReportOptions.ServedAnswers"/>).</summary>
    public bool ServedAnswers { get; init; }
    public double MeasureSeconds { get; init; }
    public double WallSeconds { get; init; }

    /// <summary>CPU time of the whole process (every thread) over the run: on a shared machine, the work the run itself did.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>The 1-, 5- and 15-minute load averages when the run started and when it ended ("n/a" where the OS has none).</summary>
    public string LoadAtStart { get; init; } = "n/a";
    public string LoadAtEnd { get; init; } = "n/a";
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
    public const string DiSRouterPaper = "disrouter-paper";
    public const string DiSRouterSft = "disrouter-sft";
    public const string DiSRouterSftGreedy = "disrouter-sft-greedy";
    public const string DiSRouterNetwork = "disrouter-network";
    public const string DiSRouterNetworkTwoSided = "disrouter-network-2s";
    public const string DiSRouterProbe = "disrouter-probe";
    public const string DiSRouterProbeNetwork = "disrouter-probe-network-2s";
    public const string DiSRouterProbePooled = "disrouter-probe-pooled";
    public const string DiSRouterProbePooledNetwork = "disrouter-probe-pooled-network-2s";
    public const string DiSRouterBids = "disrouter-bids";
    public const string DiSRouterBidsProbe = "disrouter-bids-probe";
    public const string DiSRouterBidsSft = "disrouter-bids-sft";
    public const string DiSRouterBidsText = "disrouter-bids-text";
    public const string DiSRouterAuction = "disrouter-auction";
    public const string PxBids = "px-bids";

    /// <summary>The α whose prompt the bids are read under: one prompt pass per agent stands for every α (the pick applies α).</summary>
    public const double BidAlpha = 0.5;

    /// <summary>
    /// What each probe reads of the agent's own prompt pass, and its two rows (own-reward cuts; cascade-tuned two-sided cuts):
    /// the state at the decision position alone, or with the mean state over every prompt position beside it.
    /// </summary>
    public static readonly (string Features, string Own, string Network, Func<MeasuredState, float[]> Read)[] ProbeFeatures =
    [
        ("decision position", DiSRouterProbe, DiSRouterProbeNetwork, s => s.Hidden),
        ("decision position + prompt mean", DiSRouterProbePooled, DiSRouterProbePooledNetwork, s => [.. s.Hidden, .. s.Pooled]),
    ];

    /// <summary>The α whose prompt the probe's training answers are given under (answers hardly differ across the scenario prompts).</summary>
    public const double ProbeLabelAlpha = 0.5;
    public const string Oracle = "oracle";
    public const string OwnAnswerBound = "own-answer-bound";
    public const string BestFixed = "best-fixed";
    public const string Logistic = "logistic-ngram";
    public const string Transformer = "transformer";
    public const string Mf = "mf";
    public const string Knn = "knn";
    public const string Lookup = "lookup-ceiling";
    public const string SelfRoute = "self-route";
    public const string Confidence = "confidence-cascade";
    public const string Frugal = "frugal-cascade";
    public const string AutoMix = "automix-cascade";
    public const string AutoMixVerdict = "automix-verdict";
    public const string AllAgents = "all";

    /// <summary>Router seeds for the learned routers' spread (the first is the one reported in the tables).</summary>
    public const int RouterSeeds = 3;

    public RoutingReportOptions Options { get; } = options;

    /// <summary>
    /// What is measured: base replies and their self-verification on every set; the served (RL) checkpoints decide and
    /// answer at the named α on test, out of domain and the fresh draw (on validation too with ValidationDecisions) and
    /// decide alone at the sweep's other α; the SFT checkpoints at the named α on test with Sft.
    /// </summary>
    public static IReadOnlyList<MeasurementPlan> Plans(RoutingQuerySets sets, RoutingReportOptions options)
    {
        var named = RoutingReportOptions.Named;
        var between = options.Alphas.Where(a => !named.Any(n => Math.Abs(n - a) < 1e-9)).ToArray();
        var states = options.Probe ? named : [];
        var plans = new List<MeasurementPlan>
        {
            // With --sft, the SFT checkpoints' answers under the bid prompt on validation too: their own bid scales are fitted there.
            new(sets.Validation, options.ValidationDecisions || options.Probe ? named : [], [], options.Sft ? [BidAlpha] : []) { StateAlphas = states },
            new(sets.Test, named, between, options.Sft ? named : []) { StateAlphas = states, CapabilitySamples = options.CapabilitySamples },
            new(sets.OutOfDomain, named, between, []) { StateAlphas = states },
            new(sets.Fresh, named, between, []) { StateAlphas = states },
        };
        // The probe's training queries: the deciding agents' own answers (one α: answers hardly differ across the scenario prompts) and states.
        if (options.Probe) plans.Add(new MeasurementPlan(sets.Train, [ProbeLabelAlpha], [], []) { StateAlphas = states, DecidingAgentsOnly = true });
        return plans;
    }

    /// <summary>
    /// What is measured of the agents trained in the paper's configuration (--paper-models): their decisions and answers at
    /// the named α, decisions alone at the sweep's other α, on every graded set. Nothing on validation: greedy decisions tune nothing.
    /// </summary>
    public static IReadOnlyList<MeasurementPlan> PaperPlans(RoutingQuerySets sets, RoutingReportOptions options)
    {
        var named = RoutingReportOptions.Named;
        var between = options.Alphas.Where(a => !named.Any(n => Math.Abs(n - a) < 1e-9)).ToArray();
        return [new(sets.Test, named, between, []), new(sets.OutOfDomain, named, between, []), new(sets.Fresh, named, between, [])];
    }

    /// <summary>Everything fitted or tuned on the validation split: the central routers, the cascades' scores, the labels.</summary>
    private sealed record ValidationFit(
        List<string> Agents,
        double[] Costs,
        IReadOnlyList<IReadOnlyList<bool>> Correct,
        IReadOnlyList<Dictionary<string, ICorrectnessModel>> Routers,
        AnswerScorer[] Scorers,
        IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<double>>> CascadeScores,
        Dictionary<string, string> Tuned);

    /// <param name="seeds">Other training seeds' agents measured on validation and test at the named α (label: their models folder).</param>
    /// <param name="paper">The agents trained in the paper's configuration, measured by <see cref="PaperPlans"/>: the row disrouter-paper.</param>
    public RoutingReportResult Run(IReadOnlyList<SetMeasurements> measured, IReadOnlyList<(string Label, IReadOnlyList<SetMeasurements> Sets)>? seeds = null,
        IReadOnlyList<SetMeasurements>? paper = null)
    {
        var validation = measured.Single(m => m.Set.Name == RoutingQuerySets.ValidationName);
        var train = measured.SingleOrDefault(m => m.Set.Name == RoutingQuerySets.TrainName);
        var graded = measured.Where(m => m.Set.Name != RoutingQuerySets.ValidationName && m.Set.Name != RoutingQuerySets.TrainName).ToList();
        var fit = FitOnValidation(validation);
        var subsets = Subsets(fit.Agents);
        var thresholds = new Dictionary<(string, string, double), double[]>();
        var network = NetworkCutsOnValidation(validation, subsets, DiSRouterNetwork, DiSRouterNetworkTwoSided, (k, alpha) => Gaps(validation.Agents[k], alpha),
            (k, alpha) => validation.Agents[k].RlThresholds?.ThresholdAt(alpha) ?? 0);
        var probes = train is null ? null : FitProbes(train, validation, measured);
        if (probes is not null)
            foreach (var (_, ownMethod, networkMethod, _) in ProbeFeatures)
            {
                var onValidation = probes.Scores[ownMethod][RoutingQuerySets.ValidationName];
                var own = OwnProbeCuts(validation, onValidation);
                foreach (var (key, cuts) in NetworkCutsOnValidation(validation, subsets, ownMethod, networkMethod,
                    (k, alpha) => onValidation[k][Array.IndexOf(RoutingReportOptions.Named, alpha)], (k, alpha) => own[(k, alpha)], ownRow: true))
                    network[key] = cuts;
            }

        var bids = BidScales.Fit(validation);
        var sftBids = BidScales.Fit(validation, a => a.Sft);
        var textBids = TextBids.Fit(validation, Routed(validation), new NGramFeatures(), Options.Seed);

        var rows = new List<MethodRow>();
        var versus = new List<VersusRow>();
        var curves = new List<CurveRow>();
        var spread = new List<(string, double, double, double, double)>();
        double[][]? testBids = null;
        foreach (var set in graded)
        {
            var setBids = SetBids(set, bids, probes, sftBids, textBids);
            GradeSet(set, fit, subsets, thresholds, network, probes?.Scores.ToDictionary(p => p.Key, p => p.Value[set.Set.Name]), rows, versus, curves,
                paper?.SingleOrDefault(m => m.Set.Name == set.Set.Name), setBids);
            if (set.Set.Name == RoutingQuerySets.TestName)
            {
                spread.AddRange(SeedSpread(set, fit));
                testBids = setBids.GetValueOrDefault(DiSRouterBids);
            }
        }

        var test = graded.Single(m => m.Set.Name == RoutingQuerySets.TestName);
        var bidAsked = testBids is null ? [] : RoutingReportOptions.Named.Select(a => (a, BidPasses.MeanAsked(testBids, test.Agents.Select(x => x.Cost).ToArray(), a))).ToList();
        var selfRoute = (SelfRouteRouter)fit.Routers[0][SelfRoute];
        var statements = test.Set.Queries.Select(q => selfRoute.State(q.Question)).ToList();
        // The served checkpoints' decisions on validation at every named α: what the seed table, the recalibration and the γ sweep read.
        bool decidedOnValidation = DecidedOnValidation(validation);
        // Each training seed's runs, computed once: the seed table reads their utilities, the pooled RL − SFT their queries.
        var seedRuns = decidedOnValidation
            ? new[] { (Label: Options.ModelsDirectory, Sets: (IReadOnlyList<SetMeasurements>)[validation, test]) }.Concat(seeds ?? [])
                .Select(s => (s.Label, Runs: SeedRuns(s.Sets).ToList())).ToList()
            : [];
        return new RoutingReportResult
        {
            Agents = fit.Agents,
            Costs = fit.Costs,
            Alphas = Options.Alphas,
            SetSizes = measured.ToDictionary(m => m.Set.Name, m => m.Set.Queries.Count),
            Methods = MethodInfos(fit.Agents, test.Agents.Any(a => a.Sft.Count > 0), network.Count > 0, probes is not null, paper is not null,
                test.Agents.All(a => a.Capability.Length > 0)).ToList(),
            Rows = rows,
            Versus = versus,
            TrainingSeeds = seedRuns.SelectMany(s => s.Runs.Select(run => (s.Label, run.Method, run.Alpha, run.Utility))).ToList(),
            PooledRlOverSft = PooledRlAgainstSft(seedRuns.Select(s => s.Runs).ToList()),
            Curves = curves,
            AnswerRates = AnswerRates(test),
            AnswerAgreement = test.Agents.SkipLast(1).Select(a => (a.Name, Enumerable.Range(0, test.Set.Queries.Count)
                .Average(i => a.Rl[0.2][i].Correct == a.Rl[0.8][i].Correct ? 1.0 : 0.0))).ToList(),
            SeedSpread = spread,
            BidAsked = bidAsked,
            SelfRouteStatement = (statements.Select((s, i) => s.Family == test.Set.Queries[i].Family ? 1.0 : 0.0).Average(),
                statements.Select((s, i) => s.Difficulty == test.Set.Queries[i].Difficulty ? 1.0 : 0.0).Average()),
            Tuned = fit.Tuned,
            Cuts = network,
            OwnCuts = Enumerable.Range(0, fit.Agents.Count - 1).SelectMany(k => RoutingReportOptions.Named.Select(a => (k, a)))
                .Where(x => validation.Agents[x.k].RlThresholds is not null).ToDictionary(x => x, x => validation.Agents[x.k].RlThresholds!.ThresholdAt(x.a)),
            Probes = probes?.Agents ?? [],
            RouterSeeds = RouterSeeds,
            ServedAnswers = Options.ServedAnswers,
            Recalibration = decidedOnValidation ? Recalibrate(validation, test) : [],
            GammaSweep = decidedOnValidation ? SweepGamma(validation, test).ToList() : [],
            ServedRule = decidedOnValidation && bids is not null ? ChooseServedRule(validation, rows).ToList() : [],
            MeasurementCost = MeasurementCost(measured),
        };
    }

    /// <summary>
    /// Where a cold run's model time goes: per kind of pass, the passes and the model time recorded in them (a record
    /// shared by several α, the last agent's, counted once). Two passes run at once, so the wall time is about half the sum.
    /// </summary>
    private static List<(string, int, double)> MeasurementCost(IReadOnlyList<SetMeasurements> measured)
    {
        var agents = measured.SelectMany(m => m.Agents).ToList();
        var decisions = agents.SelectMany(a => a.Rl.Values.Concat(a.Sft.Values)).Distinct().SelectMany(d => d).ToList();
        return
        [
            ("base answer (generation)", agents.Sum(a => a.Base.Length), agents.Sum(a => a.Base.Sum(r => r.ModelMs)) / 1000),
            ("AutoMix verification (batched prompt pass)", agents.Sum(a => a.Verify.Length), agents.Sum(a => a.Verify.Sum(v => v.VerifyMs)) / 1000),
            ("self-aware decision + answer (prompt pass, generation)", decisions.Count(d => d.HasAnswer), decisions.Where(d => d.HasAnswer).Sum(d => d.DecisionMs + d.AnswerMs) / 1000),
            ("self-aware decision alone (batched prompt pass)", decisions.Count(d => !d.HasAnswer), decisions.Where(d => !d.HasAnswer).Sum(d => d.DecisionMs) / 1000),
        ];
    }

    /// <summary>
    /// The central routers (seed 0 in the tables; more seeds for the spread) and the cascades' validation scores:
    /// FrugalGPT's scorer out of fold (its full fit scores the graded sets), the confidence cascade's mean log-probability,
    /// AutoMix's verification log-odds.
    /// </summary>
    private ValidationFit FitOnValidation(SetMeasurements validation)
    {
        var features = new NGramFeatures();
        var queries = Routed(validation);
        var correct = validation.Agents.Select(a => (IReadOnlyList<bool>)a.Base.Select(r => r.Correct).ToArray()).ToList();
        // The transformer's epochs are chosen once, on seed 0's held-out fifth; the other seeds train that many on all queries.
        var transformer = TransformerRouter.Fit(queries, correct, seed: Options.Seed, maxEpochs: Options.TransformerEpochs);
        var routers = new Dictionary<string, ICorrectnessModel>[RouterSeeds];
        for (int s = 0; s < RouterSeeds; s++)
            routers[s] = new()
            {
                [Logistic] = LogisticRouter.Fit(queries, correct, features, seed: Options.Seed + s),
                [Transformer] = s == 0 ? transformer : TransformerRouter.Fit(queries, correct, seed: Options.Seed + s, epochs: transformer.Epochs),
                [Mf] = MatrixFactorizationRouter.Fit(queries, correct, features, seed: Options.Seed + s),
                [SelfRoute] = new SelfRouteRouter(queries, correct, features, seed: Options.Seed + s),
            };
        routers[0][Knn] = KnnRouter.Fit(queries, correct, features);
        routers[0][Lookup] = new LookupRouter(queries, correct);
        var tuned = new Dictionary<string, string>
        {
            [Logistic] = $"L2 = {((LogisticRouter)routers[0][Logistic]).L2:g} (5-fold CV log loss on validation over {string.Join(", ", LogisticRouter.L2Grid)})",
            [Transformer] = $"{transformer.Epochs} epochs (held-out log loss {transformer.HeldOutLogLoss:0.000} on a fifth of validation, over 1–{Options.TransformerEpochs}), then refitted on all of it; the other seeds train as many epochs",
            [Knn] = $"k = {((KnnRouter)routers[0][Knn]).K} (leave-one-out log loss on validation over {string.Join(", ", KnnRouter.KGrid)})",
        };
        var scorers = validation.Agents.Select((_, k) => AnswerScorer.Fit(ScorerInputs(validation, k), correct[k], features, seed: Options.Seed)).ToArray();
        var scores = new Dictionary<string, IReadOnlyList<IReadOnlyList<double>>>
        {
            [Frugal] = validation.Agents.Select((_, k) => (IReadOnlyList<double>)AnswerScorer.OutOfFold(ScorerInputs(validation, k), correct[k], features, seed: Options.Seed)).ToList(),
            [Confidence] = Confidences(validation),
            [AutoMix] = Verifications(validation),
        };
        return new ValidationFit(validation.Agents.Select(a => a.Name).ToList(), validation.Agents.Select(a => a.Cost).ToArray(), correct, routers, scorers, scores, tuned);
    }

    /// <summary>All agents, and the subsets of the paper's Table 4 (agents 2, 3, 5) and 1, 3, 5 where the pool holds them.</summary>
    private static List<(string Name, int[] Agents)> Subsets(List<string> agents)
    {
        var subsets = new List<(string Name, int[] Agents)> { (AllAgents, Enumerable.Range(0, agents.Count).ToArray()) };
        foreach (var names in new[] { new[] { "nano-2", "nano-3", "nano-5" }, ["nano-1", "nano-3", "nano-5"] })
            if (names.All(agents.Contains) && names.Length < agents.Count)
                subsets.Add((string.Join(",", names.Select(n => n.Replace("nano-", ""))), names.Select(n => agents.IndexOf(n)).ToArray()));
        return subsets;
    }

    /// <summary>
    /// Every method at every α of the sweep on one graded set (and on test, every subset): rows at the named α, curves
    /// over the sweep. Cascade thresholds depend on validation, the subset and α only: tuned once, used on every set.
    /// </summary>
    private void GradeSet(SetMeasurements set, ValidationFit fit, List<(string Name, int[] Agents)> subsets, Dictionary<(string, string, double), double[]> thresholds,
        IReadOnlyDictionary<(string Method, string Subset, double Alpha), NetworkCuts> network, Dictionary<string, double[][][]>? probeScores, List<MethodRow> rows, List<VersusRow> versus, List<CurveRow> curves,
        SetMeasurements? paperSet = null, Dictionary<string, double[][]>? bids = null)
    {
        var queries = Routed(set);
        var routerMs = new Dictionary<string, double[]>();
        var predictions = fit.Routers[0].ToDictionary(r => r.Key, r => Predict(r.Value, queries, routerMs, r.Key));
        var scores = new Dictionary<string, IReadOnlyList<IReadOnlyList<double>>>
        {
            [Frugal] = set.Agents.Select((_, k) => (IReadOnlyList<double>)ScorerInputs(set, k).Select(fit.Scorers[k].Score).ToArray()).ToList(),
            [Confidence] = Confidences(set),
            [AutoMix] = Verifications(set),
        };
        // AutoMix's verification pass adds its time (no cost: a prompt pass, like a declining self-aware agent's).
        var verifyMs = set.Agents.Select(a => a.Verify.Length == 0 ? new double[set.Set.Queries.Count] : a.Verify.Select(v => v.VerifyMs).ToArray()).ToArray();
        foreach (var (subsetName, members) in subsets)
        {
            if (subsetName != AllAgents && set.Set.Name != RoutingQuerySets.TestName) continue;
            double[] Tuned(string method, double alpha) => thresholds.TryGetValue((method, subsetName, alpha), out var t) ? t
                : thresholds[(method, subsetName, alpha)] = ThresholdCascade.Tune(Pick(fit.CascadeScores[method], members), Pick(fit.Correct, members), Pick(fit.Costs, members), alpha);
            var runs = new List<PolicyRun>();
            foreach (var alpha in Options.Alphas)
            {
                var world = new World(set, members, alpha, set.Set.Name, subsetName);
                foreach (var k in members) runs.Add(world.Fixed(k));
                runs.Add(world.Oracle());
                // Best fixed agent: the one of highest validation utility at this α.
                int bestK = members.MaxBy(k => fit.Correct[k].Average(c => c ? 1.0 : 0.0) - alpha * fit.Costs[k]);
                runs.Add(world.Fixed(bestK) with { Method = BestFixed });
                foreach (var (name, p) in predictions)
                    runs.Add(world.Central(name, p, routerMs[name], name == SelfRoute ? SelfRouteCallMs(set, members[0]) : null));
                foreach (var (method, b) in bids ?? []) runs.Add(world.Bids(method, b, sft: method == DiSRouterBidsSft));
                if (bids?.GetValueOrDefault(DiSRouterBids) is { } served) runs.Add(world.Auction(DiSRouterAuction, served));
                runs.Add(world.Cascade(Confidence, scores[Confidence], Tuned(Confidence, alpha)));
                runs.Add(world.Cascade(Frugal, scores[Frugal], Tuned(Frugal, alpha)));
                runs.Add(world.Cascade(AutoMix, scores[AutoMix], Tuned(AutoMix, alpha), verifyMs));
                // The verifier's own verdict: stop where it says yes (log-odds ≥ 0), whatever α.
                runs.Add(world.Cascade(AutoMixVerdict, scores[AutoMix], new double[members.Length - 1], verifyMs));
                if (world.SelfAware(DiSRouter, rl: true, greedy: false) is { } d) runs.Add(d);
                if (world.SelfAware(DiSRouterGreedy, rl: true, greedy: true) is { } g) runs.Add(g);
                // The paper's configuration: other checkpoints (same base models, same costs), greedy, in their own wording.
                if (paperSet is not null && new World(paperSet, members, alpha, set.Set.Name, subsetName).SelfAware(DiSRouterPaper, rl: true, greedy: true) is { } pg) runs.Add(pg);
                if (world.SelfAware(DiSRouterSft, rl: false, greedy: false) is { } ds) runs.Add(ds);
                if (world.SelfAware(DiSRouterSftGreedy, rl: false, greedy: true) is { } gs) runs.Add(gs);
                // The cuts chosen on validation exist at the named α only (validation decisions are measured there).
                int named = Array.IndexOf(RoutingReportOptions.Named, alpha);
                foreach (var method in new[] { DiSRouterNetwork, DiSRouterNetworkTwoSided })
                    if (network.TryGetValue((method, subsetName, alpha), out var cuts)
                        && world.SelfAware(method, rl: true, greedy: false, (k, _, d) => cuts.Answers(Array.IndexOf(members, k), d.LogitGap)) is { } n)
                        runs.Add(n);
                // A bound: every agent knows exactly whether its own answer is right and answers iff it is (the last always answers).
                if (named >= 0 && world.SelfAware(OwnAnswerBound, rl: true, greedy: false, (_, _, d) => d.Correct) is { } bound) runs.Add(bound);
                foreach (var (_, own, net, _) in ProbeFeatures)
                    foreach (var method in new[] { own, net })
                        if (probeScores is not null && network.TryGetValue((method, subsetName, alpha), out var cuts)
                            && world.SelfAware(method, rl: true, greedy: false, (k, i, _) => cuts.Answers(Array.IndexOf(members, k), probeScores[own][k][named][i])) is { } n)
                            runs.Add(n);
            }
            Summarise(runs, set.Set.Name, subsetName, fit.Agents, members, fit.Costs, rows, versus, curves);
        }
    }

    /// <summary>The routers that draw at random, retrained with each seed: test utility at the named α, all agents.</summary>
    private IEnumerable<(string, double, double, double, double)> SeedSpread(SetMeasurements set, ValidationFit fit)
    {
        var queries = Routed(set);
        var all = Enumerable.Range(0, fit.Agents.Count).ToArray();
        foreach (var name in new[] { Logistic, Transformer, Mf, SelfRoute })
        {
            var predictions = fit.Routers.Select(r => Predict(r[name], queries, null, name)).ToList();
            foreach (var alpha in RoutingReportOptions.Named)
            {
                var world = new World(set, all, alpha, set.Set.Name, AllAgents);
                var u = predictions.Select(p => world.Central(name, p, new double[queries.Count], null).Utility).ToArray();
                yield return (name, alpha, u.Average(), u.Min(), u.Max());
            }
        }
    }

    /// <summary>Per served agent but the last (its decision is never read), per sweep α: its answer rate on test, calibrated and greedy.</summary>
    private List<(string, double, double, double)> AnswerRates(SetMeasurements test)
    {
        var rates = new List<(string, double, double, double)>();
        foreach (var a in test.Agents.SkipLast(1))
            foreach (var alpha in Options.Alphas)
            {
                var d = a.Rl[alpha];
                rates.Add((a.Name, alpha, d.Average(x => Answers(a.RlThresholds, x, alpha) ? 1.0 : 0.0), d.Average(x => x.GreedyAnswers ? 1.0 : 0.0)));
            }
        return rates;
    }

    private static List<IReadOnlyList<double>> Confidences(SetMeasurements m) =>
        m.Agents.Select(a => (IReadOnlyList<double>)a.Base.Select(r => r.MeanLogProb).ToArray()).ToList();

    // The last agent's answer is always returned and never verified: its scores are never read (zeros).
    private static List<IReadOnlyList<double>> Verifications(SetMeasurements m) =>
        m.Agents.Select(a => (IReadOnlyList<double>)(a.Verify.Length == 0 ? new double[m.Set.Queries.Count] : a.Verify.Select(v => v.YesNoGap).ToArray())).ToList();

    /// <summary>The decision-rule ablations (beyond the served cascade) that are compared with the strongest baselines one by one.</summary>
    public static readonly string[] Ablations = [DiSRouterBids, DiSRouterBidsText, PxBids, DiSRouterBidsProbe, DiSRouterNetwork, DiSRouterNetworkTwoSided, DiSRouterProbe, DiSRouterProbeNetwork, DiSRouterProbePooled, DiSRouterProbePooledNetwork];

    /// <summary>The baselines the ablations are held against: the best fixed agent, the text routers and the lookup ceiling.</summary>
    public static readonly string[] StrongBaselines = [BestFixed, Mf, Transformer, Logistic, SelfRoute, Lookup];

    private void Summarise(List<PolicyRun> runs, string split, string subset, IReadOnlyList<string> agents, int[] members, double[] costs, List<MethodRow> rows,
        List<VersusRow> versus, List<CurveRow> curves)
    {
        // The cheapest and the dearest member alone: the same point at every α.
        var weak = runs.First(r => r.Method == agents[members[0]]);
        var strong = runs.First(r => r.Method == agents[members[^1]]);
        var weakPoint = new CostAccuracy(weak.MeanCost, weak.Accuracy);
        var strongPoint = new CostAccuracy(strong.MeanCost, strong.Accuracy);
        // A method run at the named α only (tuned on validation decisions measured there) has no sweep: no curve.
        foreach (var method in runs.Select(r => r.Method).Distinct().Where(m => runs.Count(r => r.Method == m) == Options.Alphas.Count))
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
                Interval? against = reference is null || r.Method == DiSRouter ? null
                    : PairedBootstrap.Difference(reference.PerQueryUtility, r.PerQueryUtility, Options.BootstrapResamples,
                        (ulong)(Options.Seed + 1) * 7919 + (ulong)Math.Round(alpha * 100));
                var share = members.Select(k => r.RoutedTo.Count(x => x == k) / (double)r.RoutedTo.Length).ToList();
                rows.Add(new MethodRow(r.Method, split, subset, alpha, r.Accuracy, r.MeanCost, r.Utility, oracle.Utility == 0 ? 0 : r.Utility / oracle.Utility,
                    Percentile.Of(r.LatencyMs, 0.5), Percentile.Of(r.LatencyMs, 0.99), against, share));
            }
            foreach (var ours in at.Where(r => Ablations.Contains(r.Method)))
                foreach (var baseline in at.Where(r => StrongBaselines.Contains(r.Method) || (ours.Method == DiSRouterBids && r.Method == DiSRouterBidsSft)))
                    versus.Add(new VersusRow(ours.Method, baseline.Method, split, subset, alpha, PairedBootstrap.Difference(ours.PerQueryUtility, baseline.PerQueryUtility,
                        Options.BootstrapResamples, (ulong)(Options.Seed + 1) * 7919 + (ulong)Math.Round(alpha * 100))));
        }
    }

    private static IEnumerable<MethodInfo> MethodInfos(IReadOnlyList<string> agents, bool sft, bool network, bool probe, bool paper = false, bool capability = false)
    {
        foreach (var a in agents) yield return new MethodInfo(a, "fixed agent", "nothing");
        yield return new MethodInfo(BestFixed, "fixed agent", "the agent of highest validation utility at each α");
        yield return new MethodInfo(Logistic, "central router (RouteLLM-style classifier)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(Transformer, "central router (small transformer encoder, our engine)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(Mf, "central router (RouteLLM MF)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(Knn, "central router (kNN)", "validation: each base model's graded greedy answers");
        yield return new MethodInfo(SelfRoute, "central router (Self-Route analogue)", "validation: family/difficulty heads and the measured profile registry");
        yield return new MethodInfo(Lookup, "ceiling: told family and difficulty", "validation: accuracy per family × difficulty");
        yield return new MethodInfo(Confidence, "cascade (answer, then mean token log-prob ≥ θ_k)", "validation: θ per agent and α");
        yield return new MethodInfo(Frugal, "cascade (FrugalGPT-style scorer of query + answer)", "validation: scorer (5-fold out-of-fold scores for tuning), θ per agent and α");
        yield return new MethodInfo(AutoMix, "cascade (AutoMix-style: answer, then the model verifies it by a second prompt; log-odds ≥ θ_k)", "validation: θ per agent and α");
        yield return new MethodInfo(AutoMixVerdict, "cascade (AutoMix-style, the verifier's own verdict: stop where it says yes)", "nothing");
        yield return new MethodInfo(DiSRouter, "self-aware cascade, calibrated (served)", "own samples (train split) for SFT/RL; thresholds on validation (calibrate)");
        yield return new MethodInfo(DiSRouterGreedy, "self-aware cascade, greedy decisions: the paper's decision rule on our weights (see the faithful-configuration section)", "own samples (train split) for SFT/RL");
        if (paper)
            yield return new MethodInfo(DiSRouterPaper, "self-aware cascade trained in the paper's configuration (T = 1, per-scenario balance, RL on the three scenarios with γ = 0.5, full scenario texts), greedy decisions", "own samples (train split) for SFT/RL; nothing tuned");
        if (sft)
        {
            yield return new MethodInfo(DiSRouterSft, "self-aware cascade, SFT only, calibrated", "own samples; thresholds on validation");
            yield return new MethodInfo(DiSRouterSftGreedy, "self-aware cascade, SFT only, greedy", "own samples");
        }
        if (network)
        {
            const string fitted = "own samples for SFT/RL; per-agent cuts on the logit gap tuned together on validation for the cascade's utility at each named α " +
                "(coordinate ascent from the calibrated cuts): they read every agent's validation decisions and graded answers, no training on them — the information the other cascades' thresholds get";
            yield return new MethodInfo(DiSRouterNetwork, "self-aware cascade, the served checkpoints with cascade-tuned cuts (answer when gap ≥ θ_k)", fitted);
            yield return new MethodInfo(DiSRouterNetworkTwoSided, "self-aware cascade, cascade-tuned two-sided cuts (answer when gap ≥ θ_k or gap < λ_k: a query hopeless here is answered cheaply)", fitted);
        }
        yield return new MethodInfo(DiSRouterBids, "self-assessed bids: every agent's prompt pass gives its own calibrated P(my answer is right); the agent of highest P − α·c answers (fixed arithmetic, nothing learned across agents)",
            $"each agent alone: its logit gap under the α = {BidAlpha} prompt mapped to a probability by a logistic fit on its own validation answers (L2 by 5-fold CV) — plug-and-play");
        yield return new MethodInfo(DiSRouterAuction, "self-assessed bids asked cheapest first, as the agents serve them (`disrouter-auction`): each asked agent's prompt pass in turn, " +
            "until the best bid so far beats 1 − α·c of the next dearer agent; the best answers. The bids' pick; the passes one after another",
            "as disrouter-bids — plug-and-play");
        yield return new MethodInfo(DiSRouterBidsText, "self-assessed bids that also read the agent's own record: its logit gap and an n-gram score of how it fared on queries worded like this one, joined into its P(my answer is right)",
            $"each agent alone: a logistic regression on the query's n-grams fitted on its own validation answers (as logistic-ngram, one agent's labels), joined with its logit gap under the α = {BidAlpha} prompt by a two-feature logistic fit on the same answers (the n-gram score out of fold) — plug-and-play");
        if (sft)
            yield return new MethodInfo(DiSRouterBidsSft, "self-assessed bids of the SFT checkpoints (no RL): what RL adds to the bids",
                $"each SFT checkpoint alone: its logit gap under the α = {BidAlpha} prompt mapped to a probability on its own validation answers — plug-and-play");
        if (probe)
        {
            yield return new MethodInfo(DiSRouterBidsProbe, "self-assessed bids, each deciding agent's bid read off its probe (disrouter-probe's, under the α = 0.5 prompt)",
                "each agent alone: the probe's probability, fitted on its own graded answers to training-split queries; the last agent, which has no probe, bids as in disrouter-bids — plug-and-play");
            foreach (var (features, own, twoSided, _) in ProbeFeatures)
            {
                var probed = $"own samples for SFT/RL; the probe on the agent's own graded answers to training-split queries (its hidden state: {features}, " +
                    "each named α's prompt; logistic regression, L2 by 5-fold CV on them)";
                yield return new MethodInfo(own, $"self-aware cascade deciding by a probe of its own hidden state ({features}), own-reward cuts (calibrate's rule, γ = 0.5)",
                    probed + "; cuts on validation by the agent's own reward, its own answers only — plug-and-play");
                yield return new MethodInfo(twoSided, $"self-aware cascade deciding by the probe ({features}), cascade-tuned two-sided cuts",
                    probed + "; cuts tuned together on validation for the cascade's utility (every agent's validation labels, as disrouter-network)");
            }
        }
        if (capability)
            yield return new MethodInfo(PxBids, "bound: the bids with every agent knowing its p(x) exactly (its base model's share of right sampled answers) and answering with its served answer",
                "the test queries' sampled answers of each base model (a bound on self-knowledge trained toward p(x), as the SFT labels are; not a method)");
        yield return new MethodInfo(OwnAnswerBound, "bound: the served cascade with agents that know exactly whether their own answer is right, answering iff it is",
            "the graded labels of each agent's own answers (a bound on self-knowledge under a one-sided rule, not a method)");
        yield return new MethodInfo(Oracle, "utility optimum", "the test labels (a bound, not a method)");
    }

    // Self-Route's router call: the smallest member's prompt pass over the query (its served checkpoint's decision pass at
    // α = 0.5, the same prompt length give or take the scenario's few tokens).
    private static double[] SelfRouteCallMs(SetMeasurements set, int smallest) => set.Agents[smallest].Rl[0.5].Select(d => d.DecisionMs).ToArray();

    /// <summary>
    /// The sets with every agent's base replies graded as its served checkpoint's own answers under the bid prompt
    /// (<see cref="RoutingReportOptions.ServedAnswers"/>): a set where some agent has no such answers (the probe's
    /// training split) is left as it is. Only the grades change: the replies' times and log-probabilities stay the base
    /// model's, so the answer-then-score cascades' scores keep reading the base answers.
    /// </summary>
    public static IReadOnlyList<SetMeasurements> ServedAsBase(IReadOnlyList<SetMeasurements> measured) =>
        measured.Select(set => !set.Agents.All(a => a.Rl.TryGetValue(BidAlpha, out var d) && d.Length == a.Base.Length && d.All(x => x.HasAnswer)) ? set
            : set with { Agents = set.Agents.Select(a => a with { Base = a.Base.Select((r, i) => r with { Correct = a.Rl[BidAlpha][i].Correct }).ToArray() }).ToList() })
        .ToList();

    /// <summary>Whether the served checkpoints' decisions were measured on validation at every named α (--validation-decisions).</summary>
    private static bool DecidedOnValidation(SetMeasurements validation) => validation.Agents.All(a => RoutingReportOptions.Named.All(a.Rl.ContainsKey));

    /// <summary>
    /// Per subset and named α, the served checkpoints' cuts tuned together for the cascade's utility on validation
    /// (<see cref="NetworkThresholds"/>), one-sided and two-sided, starting from their calibrated cuts; empty unless the
    /// validation decisions were measured. A subset re-tunes its members' cuts (nothing retrained).
    /// </summary>
    /// <param name="score">Agent k's decision score on every validation query at α (the last agent's is never read).</param>
    /// <param name="ownCut">Agent k's own calibrated cut at α, where the tuning starts.</param>
    /// <param name="ownRow">Also keep the own cuts, under <paramref name="oneSided"/>, instead of tuning them one-sided.</param>
    private static Dictionary<(string Method, string Subset, double Alpha), NetworkCuts> NetworkCutsOnValidation(SetMeasurements validation,
        List<(string Name, int[] Agents)> subsets, string oneSided, string twoSided, Func<int, double, double[]> score, Func<int, double, double> ownCut, bool ownRow = false)
    {
        var result = new Dictionary<(string, string, double), NetworkCuts>();
        if (!DecidedOnValidation(validation)) return result;
        foreach (var (name, members) in subsets)
            foreach (var alpha in RoutingReportOptions.Named)
            {
                var scores = members.Select(k => (IReadOnlyList<double>)score(k, alpha)).ToList();
                var correct = members.Select(k => (IReadOnlyList<bool>)validation.Agents[k].Rl[alpha].Select(d => d.Correct).ToArray()).ToList();
                var costs = members.Select(k => validation.Agents[k].Cost).ToArray();
                var start = NetworkCuts.OneSided(members.SkipLast(1).Select(k => ownCut(k, alpha)).ToArray());
                result[(oneSided, name, alpha)] = ownRow ? start : NetworkThresholds.Tune(scores, correct, costs, alpha, start, twoSided: false);
                result[(twoSided, name, alpha)] = NetworkThresholds.Tune(scores, correct, costs, alpha, start, twoSided: true);
            }
        return result;
    }

    // The logit gaps of an agent's served decisions at α; zeros where the agent never decides there (the last one, measured once).
    private static double[] Gaps(AgentMeasurements agent, double alpha) => agent.Rl[alpha].Select(d => d.LogitGap).ToArray();

    /// <summary>The probes and their scores: per probe (its own-cuts method's name) and set name, [agent][named α][query] (zeros for the last agent, which has none).</summary>
    private sealed record ProbeFit(Dictionary<string, Dictionary<string, double[][][]>> Scores, IReadOnlyList<ProbeAgent> Agents);

    /// <summary>
    /// Fits each deciding agent's probe on its own answers to the training queries (its states under every named α's prompt,
    /// labelled by its answer under <see cref="ProbeLabelAlpha"/>'s), scores every set, and measures how well the probe and
    /// the logit gap rank the agent's own correctness on validation and test (AUC, as the diagnosis computes it).
    /// </summary>
    private static ProbeFit FitProbes(SetMeasurements train, SetMeasurements validation, IReadOnlyList<SetMeasurements> measured)
    {
        var named = RoutingReportOptions.Named;
        int agents = train.Agents.Count;
        var all = new Dictionary<string, Dictionary<string, double[][][]>>();
        var rows = new List<ProbeAgent>();
        var test = measured.Single(m => m.Set.Name == RoutingQuerySets.TestName);
        foreach (var (features, method, _, read) in ProbeFeatures)
        {
            var scores = measured.ToDictionary(m => m.Set.Name, m => Enumerable.Range(0, agents).Select(_ => named.Select(_ => new double[m.Set.Queries.Count]).ToArray()).ToArray());
            all[method] = scores;
            for (int k = 0; k < agents - 1; k++)
            {
                var a = train.Agents[k];
                var labels = a.Rl[ProbeLabelAlpha];
                var states = named.SelectMany(alpha => a.States[alpha]).Select(read).ToList();
                var right = named.SelectMany(_ => labels.Select(d => d.Correct)).ToList();
                var group = named.SelectMany(_ => Enumerable.Range(0, labels.Length)).ToList();
                var probe = SelfKnowledgeProbe.Fit(states, right, group);
                foreach (var m in measured)
                    for (int j = 0; j < named.Length; j++)
                        if (m.Agents[k].States.TryGetValue(named[j], out var s))
                            scores[m.Set.Name][k][j] = s.Select(x => probe.Score(read(x))).ToArray();
                double[] Auc(SetMeasurements m, Func<int, int, double> score) => named.Select((alpha, j) => SelfAwareDiagnosis.Auc(
                    Enumerable.Range(0, m.Set.Queries.Count).Select(i => score(j, i)).ToArray(), m.Agents[k].Rl[alpha].Select(d => d.Correct).ToArray())).ToArray();
                rows.Add(new ProbeAgent(a.Name, features, probe.Dimensions, states.Count, labels.Average(d => d.Correct ? 1.0 : 0.0), probe.L2, probe.CrossValidatedLogLoss,
                    Auc(validation, (j, i) => validation.Agents[k].Rl[named[j]][i].LogitGap), Auc(validation, (j, i) => scores[validation.Set.Name][k][j][i]),
                    Auc(test, (j, i) => test.Agents[k].Rl[named[j]][i].LogitGap), Auc(test, (j, i) => scores[test.Set.Name][k][j][i])));
            }
        }
        return new ProbeFit(all, rows);
    }

    /// <summary>
    /// The bids on one set, per bidding method: each agent's gap made a probability (<see cref="BidScales"/>) and, with
    /// probes, the deciding agents' probe probabilities under the bid prompt (the last agent keeps its gap's bid).
    /// </summary>
    private static Dictionary<string, double[][]> SetBids(SetMeasurements set, BidScales? scales, ProbeFit? probes, BidScales? sftScales = null, TextBids? text = null)
    {
        var result = new Dictionary<string, double[][]>();
        if (sftScales?.Bids(set, a => a.Sft) is { } sft) result[DiSRouterBidsSft] = sft;
        if (scales?.Bids(set) is not { } gaps) return result;
        result[DiSRouterBids] = gaps;
        if (text?.Bids(set, Routed(set)) is { } joined) result[DiSRouterBidsText] = joined;
        // A bound: every agent bids its base model's p(x) measured by sampling, what its self-assessment was trained toward.
        if (set.Agents.All(a => a.Capability.Length == set.Set.Queries.Count))
            result[PxBids] = set.Agents.Select(a => a.Capability.Select(c => c.P).ToArray()).ToArray();
        if (probes?.Scores[DiSRouterProbe].GetValueOrDefault(set.Set.Name) is { } scores)
        {
            int j = Array.IndexOf(RoutingReportOptions.Named, BidAlpha);
            result[DiSRouterBidsProbe] = gaps.Select((g, k) => k == gaps.Length - 1 ? g : scores[k][j].Select(BidScales.Probability).ToArray()).ToArray();
        }
        return result;
    }

    /// <summary>Each deciding agent's own-reward cuts on its probe score at the named α: calibrate's rule (γ = 0.5, answers never fewer as α rises) on validation.</summary>
    private static Dictionary<(int, double), double> OwnProbeCuts(SetMeasurements validation, double[][][] scores)
    {
        var named = RoutingReportOptions.Named;
        var reward = new SelfAwarenessReward(SelfAwarenessReward.DefaultGamma);
        var cuts = new Dictionary<(int, double), double>();
        for (int k = 0; k < validation.Agents.Count - 1; k++)
        {
            var a = validation.Agents[k];
            var points = CalibrationStage.Points(named.Select((alpha, j) => new CalibrationRecord("probe", alpha, scores[k][j], scores[k][j].Select(s => s >= 0).ToArray(),
                a.Rl[alpha].Select(d => d.Correct).ToArray())).ToList(), reward);
            for (int j = 0; j < named.Length; j++) cuts[(k, named[j])] = points[j].LogitGap;
        }
        return cuts;
    }

    /// <summary>
    /// One training seed's runs on test at the named α: its served cascade, greedy decisions, cascade-tuned cuts (tuned on its
    /// own validation decisions), its SFT checkpoints' cascades, and the bids of both checkpoints (each fitted on its own
    /// validation answers) where measured.
    /// </summary>
    private static IEnumerable<PolicyRun> SeedRuns(IReadOnlyList<SetMeasurements> sets)
    {
        var validation = sets.Single(m => m.Set.Name == RoutingQuerySets.ValidationName);
        var test = sets.Single(m => m.Set.Name == RoutingQuerySets.TestName);
        var all = Enumerable.Range(0, test.Agents.Count).ToArray();
        var cuts = NetworkCutsOnValidation(validation, [(AllAgents, all)], DiSRouterNetwork, DiSRouterNetworkTwoSided, (k, alpha) => Gaps(validation.Agents[k], alpha),
            (k, alpha) => validation.Agents[k].RlThresholds?.ThresholdAt(alpha) ?? 0);
        var bids = BidScales.Fit(validation)?.Bids(test);
        var sftBids = BidScales.Fit(validation, a => a.Sft)?.Bids(test, a => a.Sft);
        foreach (var alpha in RoutingReportOptions.Named)
        {
            var world = new World(test, all, alpha, test.Set.Name, AllAgents);
            yield return world.SelfAware(DiSRouter, rl: true, greedy: false)!;
            yield return world.SelfAware(DiSRouterGreedy, rl: true, greedy: true)!;
            if (world.SelfAware(DiSRouterSft, rl: false, greedy: false) is { } sft) yield return sft;
            if (world.SelfAware(DiSRouterSftGreedy, rl: false, greedy: true) is { } sftGreedy) yield return sftGreedy;
            foreach (var method in new[] { DiSRouterNetwork, DiSRouterNetworkTwoSided })
            {
                var c = cuts[(method, AllAgents, alpha)];
                yield return world.SelfAware(method, rl: true, greedy: false, (k, _, d) => c.Answers(k, d.LogitGap))!;
            }
            if (bids is not null) yield return world.Bids(DiSRouterBids, bids);
            if (sftBids is not null) yield return world.Bids(DiSRouterBidsSft, sftBids, sft: true);
        }
    }

    /// <summary>The rules whose SFT+RL and SFT-only checkpoints are set against each other: (served, SFT-only, what the rule is).</summary>
    public static readonly (string Rl, string Sft, string Rule)[] RlAgainstSft =
        [(DiSRouter, DiSRouterSft, "calibrated decisions"), (DiSRouterGreedy, DiSRouterSftGreedy, "greedy decisions"), (DiSRouterBids, DiSRouterBidsSft, "the bids (the auction's pick)")];

    /// <summary>
    /// SFT+RL minus SFT alone per rule and named α, pooled over every training seed that has both: per test query the mean
    /// over seeds of the two utilities, then the paired bootstrap over queries. WHY: one seed's interval is wide (a
    /// hundredth either way); the seeds' agents answer the same queries, so pooling them narrows it without assuming the
    /// seeds agree.
    /// </summary>
    private List<(string Rule, double Alpha, int Seeds, Interval Difference)> PooledRlAgainstSft(IReadOnlyList<List<PolicyRun>> runs)
    {
        var pooled = new List<(string, double, int, Interval)>();
        foreach (var (rl, sft, rule) in RlAgainstSft)
            foreach (var alpha in RoutingReportOptions.Named)
            {
                var pairs = runs.Select(r => (Rl: r.SingleOrDefault(x => x.Method == rl && x.Alpha == alpha), Sft: r.SingleOrDefault(x => x.Method == sft && x.Alpha == alpha)))
                    .Where(p => p.Rl is not null && p.Sft is not null).Select(p => (Rl: p.Rl!.PerQueryUtility, Sft: p.Sft!.PerQueryUtility)).ToList();
                if (pairs.Count == 0) continue;
                int n = pairs[0].Rl.Length;
                var rlMean = Enumerable.Range(0, n).Select(i => pairs.Average(p => p.Rl[i])).ToArray();
                var sftMean = Enumerable.Range(0, n).Select(i => pairs.Average(p => p.Sft[i])).ToArray();
                pooled.Add((rule, alpha, pairs.Count, PairedBootstrap.Difference(rlMean, sftMean, Options.BootstrapResamples, (ulong)Options.Seed)));
            }
        return pooled;
    }

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
        for (int draw = 0; draw < CalibrationDraws; draw++)
        {
            var rng = new Core.Tasks.StableRandom((ulong)(Options.Seed + 1) * 104729 + (ulong)draw);
            var sample = draw == 0 ? Enumerable.Range(0, n).ToArray() : Enumerable.Range(0, n).Select(_ => rng.Next(n)).ToArray();
            var cuts = OwnRewardCuts(validation, sample, reward);
            foreach (var (alpha, j) in RoutingReportOptions.Named.Select((x, j) => (x, j)))
                result.Add((draw, alpha, CascadeUtility(test, cuts, alpha, j)));
        }
        return result;
    }

    /// <summary>
    /// Calibrate's rule on validation queries (<paramref name="sample"/>, repeats allowed): per agent, its cuts at the
    /// named α that maximise its own reward, answers never fewer as α rises. [agent][named α index].
    /// </summary>
    private static IReadOnlyList<Models.Checkpoints.DecisionPoint>[] OwnRewardCuts(SetMeasurements validation, int[] sample, SelfAwarenessReward reward) =>
        validation.Agents.Select(a => CalibrationStage.Points(RoutingReportOptions.Named.Select(alpha => new CalibrationRecord("recalibration", alpha,
            sample.Select(i => a.Rl[alpha][i].LogitGap).ToArray(), sample.Select(i => a.Rl[alpha][i].GreedyAnswers).ToArray(),
            sample.Select(i => a.Rl[alpha][i].Correct).ToArray())).ToList(), reward)).ToArray();

    /// <summary>The served cascade, all agents, on a set at the <paramref name="j"/>-th named α, each agent answering when its gap reaches its cut.</summary>
    private static double CascadeUtility(SetMeasurements set, IReadOnlyList<Models.Checkpoints.DecisionPoint>[] cuts, double alpha, int j) =>
        new World(set, Enumerable.Range(0, set.Agents.Count).ToArray(), alpha, set.Set.Name, AllAgents)
            .SelfAware(DiSRouter, rl: true, greedy: false, (k, _, d) => d.LogitGap >= cuts[k][j].LogitGap)!.Utility;

    /// <summary>The calibration γ values swept (the reward's domain is [0, 1]; 0.5 is the paper's and calibrate's default).</summary>
    public static readonly double[] GammaGrid = [0.125, 0.25, 0.5, 0.75, 1.0];

    /// <summary>
    /// Calibrate's rule with each γ of <see cref="GammaGrid"/>: every deciding agent's cuts at the named α chosen on its
    /// own validation answers (plug-and-play: nothing of the other agents), then the whole cascade graded on validation and
    /// on test. One γ for the whole pool is one number of the pipeline, chosen on validation like its other settings.
    /// </summary>
    private static IEnumerable<(double, double, double, double)> SweepGamma(SetMeasurements validation, SetMeasurements test)
    {
        var every = Enumerable.Range(0, validation.Set.Queries.Count).ToArray();
        foreach (var gamma in GammaGrid)
        {
            var cuts = OwnRewardCuts(validation, every, new SelfAwarenessReward(gamma));
            foreach (var (alpha, j) in RoutingReportOptions.Named.Select((x, j) => (x, j)))
                yield return (gamma, alpha, CascadeUtility(validation, cuts, alpha, j), CascadeUtility(test, cuts, alpha, j));
        }
    }

    /// <summary>
    /// The rules the gateway can serve, graded where its default is chosen: on validation, the threshold cascade (each
    /// agent's cuts as calibrated, on validation themselves, for its own reward) against the auction with every bid from a
    /// scale fitted without its query (<see cref="BidScales.OutOfFold"/>), so the auction gains nothing from grading its
    /// scales' own labels; and on test, both as served (their rows in <paramref name="rows"/>, graded already).
    /// </summary>
    private IEnumerable<ServedRuleRow> ChooseServedRule(SetMeasurements validation, IReadOnlyList<MethodRow> rows)
    {
        var all = Enumerable.Range(0, validation.Agents.Count).ToArray();
        var outOfFold = BidScales.OutOfFold(validation)!;
        double OnTest(string method, double alpha) =>
            rows.Single(r => r.Split == RoutingQuerySets.TestName && r.Subset == AllAgents && r.Method == method && r.Alpha == alpha).Utility;
        foreach (var alpha in RoutingReportOptions.Named)
        {
            var onValidation = new World(validation, all, alpha, RoutingQuerySets.ValidationName, AllAgents);
            var cascade = onValidation.SelfAware(DiSRouter, rl: true, greedy: false)!;
            var auction = onValidation.Auction(DiSRouterAuction, outOfFold);
            yield return new ServedRuleRow(alpha, cascade.Utility, auction.Utility,
                PairedBootstrap.Difference(auction.PerQueryUtility, cascade.PerQueryUtility, Options.BootstrapResamples, (ulong)Options.Seed),
                OnTest(DiSRouter, alpha), OnTest(DiSRouterAuction, alpha));
        }
    }

    private static double[][] Predict(ICorrectnessModel model, IReadOnlyList<RoutedQuery> queries, Dictionary<string, double[]>? sink, string name)
    {
        var ms = new double[queries.Count];
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
        /// <param name="checkMs">Per agent and query, the time of a check after the answer (AutoMix's verification pass); the last member's is never run.</param>
        public PolicyRun Cascade(string method, IReadOnlyList<IReadOnlyList<double>> scores, double[] thresholds, double[][]? checkMs = null)
        {
            var local = ThresholdCascade.Route(members.Select(k => scores[k]).ToArray(), thresholds);
            var routed = local.Select(j => members[j]).ToArray();
            var cost = ThresholdCascade.Costs(local, members.Select(k => Agents[k].Cost).ToArray());
            var latency = local.Select((j, i) => members.Take(j + 1).Select((k, m) => Agents[k].Base[i].ModelMs + (checkMs is not null && m < members.Length - 1 ? checkMs[k][i] : 0)).Sum()).ToArray();
            return Make(method, routed, cost, latency);
        }

        /// <summary>
        /// Self-assessed bids: every member's prompt pass at once (each under the <see cref="BidAlpha"/> prompt) gives its
        /// calibrated probability that its own answer is right, <paramref name="bids"/>[k][i]; the member of highest
        /// bid − α·c answers with its own answer under that prompt. Every member spent a prompt pass (compute, no cost); they
        /// run side by side, so the time is the slowest prompt pass and the answer.
        /// </summary>
        /// <param name="sft">The SFT checkpoints bid and answer instead of the served ones.</param>
        public PolicyRun Bids(string method, double[][] bids, bool sft = false)
        {
            var decisions = members.ToDictionary(k => k, k => (sft ? Agents[k].Sft : Agents[k].Rl)[BidAlpha]);
            var costs = members.Select(k => Agents[k].Cost).ToArray();
            var routed = Enumerable.Range(0, _n).Select(i => members[UtilityChoice.Pick(members.Select(k => bids[k][i]).ToArray(), costs, alpha)]).ToArray();
            var answers = routed.Select((k, i) => decisions[k][i]).ToArray();
            var latency = answers.Select((a, i) => members.Max(k => decisions[k][i].DecisionMs) + a.AnswerMs).ToArray();
            return new PolicyRun(method, split, subset, alpha, routed, answers.Select(a => a.Correct).ToArray(), routed.Select(k => Agents[k].Cost).ToArray(), latency);
        }

        /// <summary>
        /// The same bids asked cheapest first, as the agents run the auction themselves (<see cref="BidPasses"/>): each asked
        /// member's prompt pass, one after another, until no dearer member could outbid the best so far; the best answers.
        /// The pick is the bids' pick; the time is the asked members' passes in sequence and the answer.
        /// </summary>
        public PolicyRun Auction(string method, double[][] bids)
        {
            var decisions = members.Select(k => Agents[k].Rl[BidAlpha]).ToArray();
            var costs = members.Select(k => Agents[k].Cost).ToArray();
            var routed = new int[_n];
            var correct = new bool[_n];
            var latency = new double[_n];
            for (int i = 0; i < _n; i++)
            {
                var (asked, picked) = BidPasses.Auction(members.Select(k => bids[k][i]).ToArray(), costs, alpha);
                routed[i] = members[picked];
                correct[i] = decisions[picked][i].Correct;
                latency[i] = decisions.Take(asked).Sum(d => d[i].DecisionMs) + decisions[picked][i].AnswerMs;
            }
            return new PolicyRun(method, split, subset, alpha, routed, correct, routed.Select(k => Agents[k].Cost).ToArray(), latency);
        }

        /// <summary>
        /// The self-aware cascade: the first member that answers takes the query (the last always answers) with its own
        /// answer; every member that declined spent a prompt pass (time, no cost). Null when this α was not measured.
        /// </summary>
        /// <param name="decide">Where given, whether member k (the pool's index) answers query i with decision d.</param>
        public PolicyRun? SelfAware(string method, bool rl, bool greedy, Func<int, int, MeasuredDecision, bool>? decide = null)
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
                    if (decide is not null ? decide(members[j], i, d) : greedy ? d.GreedyAnswers : Answers(thresholds[j], d, alpha)) break;
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
