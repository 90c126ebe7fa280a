using System.Text.Json.Serialization;
using DiSRouter.Core.Evaluation;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>One agent of the cascade: its base checkpoint and, when trained, its self-aware ones.</summary>
internal sealed record AgentCheckpoints(string Name, double Cost, string Base, string? Sft, string? Rl, int MaxNewTokens, string? RunDirectory = null);

internal sealed record SelfAwareReportOptions
{
    public IReadOnlyList<double> Alphas { get; init; } = Scenario.Named.Select(s => s.Alpha).ToArray();

    /// <summary>The scenario whose decisions are scored as a classifier (the paper's Table 5); balance by default.</summary>
    public double AssessmentAlpha { get; init; } = Scenario.Balance.Alpha;

    /// <summary>Samples per query at temperature 1 for ΔPerformance: a query counts as solved when any is correct.</summary>
    public int DeltaSamples { get; init; } = 10;

    /// <summary>
    /// How many of the test queries ΔPerformance uses (it costs DeltaSamples generations per query and model); 0 skips it.
    /// 360: on 120 the bound of 5 % of the base-solved queries was five or six queries, and the check turned on one.
    /// </summary>
    public int DeltaQueries { get; init; } = 360;

    /// <summary>
    /// Samples per test query and base model for p(x), the capability the ideal rows route on (0 skips them). They
    /// show what the pipeline's decision rules reach on this pool when an agent knows its p(x) exactly.
    /// </summary>
    public int IdealSamples { get; init; } = 8;

    /// <summary>Temperature of those samples: the one the agents' own p(x) labels were drawn at (the nano pipeline's 0.5).</summary>
    public double IdealTemperature { get; init; } = 0.5;

    /// <summary>γ of the RL rule's threshold (1 − α)^γ.</summary>
    public double Gamma { get; init; } = SelfAwarenessReward.DefaultGamma;

    public int Seed { get; init; }
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

// ---- results, one record per figure or table row

internal sealed record AnswerRateRow(string Agent, string Variant, double Alpha, double Value);

internal sealed record AssessmentRow(string Agent, string Variant, double Alpha, int Items, double Accuracy, double F1, double Precision, double Recall);

internal sealed record AnsweredVsRejectedRow(string Agent, string Variant, double Alpha, int Answered, double AccuracyAnswered, int Rejected, double BaseAccuracyRejected);

internal sealed record UtilityRow(string Method, double Alpha, double Accuracy, double Cost, double Utility, IReadOnlyList<double> RoutingShare);

internal sealed record DeltaRow(string Agent, string Variant, int Queries, int BaseSolved, int Gained, int Lost)
{
    /// <summary>ΔPerformance: solved now but never by the base model, over what the base model solved.</summary>
    public double Delta => BaseSolved == 0 ? 0 : (double)Gained / BaseSolved;

    public double LostShare => BaseSolved == 0 ? 0 : (double)Lost / BaseSolved;

    /// <summary>The row of <paramref name="solved"/> (per query: any sample right) against the base model's <paramref name="baseSolved"/>.</summary>
    public static DeltaRow Of(string agent, string variant, bool[] baseSolved, bool[] solved) => new(agent, variant, solved.Length, baseSolved.Count(x => x),
        Enumerable.Range(0, solved.Length).Count(i => solved[i] && !baseSolved[i]),
        Enumerable.Range(0, solved.Length).Count(i => !solved[i] && baseSolved[i]));
}

/// <summary>
/// ΔPerformance of the greedy answers on every test query: the trained model's answer in the scenario that answers most
/// (made to answer where it declined) against its base model's, and the family that lost the largest share.
/// </summary>
internal sealed record GreedyDeltaRow(string Agent, string Variant, double Alpha, int Queries, int BaseSolved, int Solved, int Gained, int Lost,
    string WorstFamily, int WorstFamilyBaseSolved, int WorstFamilyLost)
{
    public double LostShare => BaseSolved == 0 ? 0 : (double)Lost / BaseSolved;

    public double GainedShare => BaseSolved == 0 ? 0 : (double)Gained / BaseSolved;

    /// <summary>The net change of the right answers over the base model's: what the model solves, not which.</summary>
    public double NetShare => BaseSolved == 0 ? 0 : (double)(Solved - BaseSolved) / BaseSolved;

    public double WorstFamilyLostShare => WorstFamilyBaseSolved == 0 ? 0 : (double)WorstFamilyLost / WorstFamilyBaseSolved;
}

internal sealed record SelfAwareReportResult(
    IReadOnlyList<AgentCheckpoints> Agents,
    int Items,
    IReadOnlyList<double> BaseAccuracy,
    IReadOnlyList<AnswerRateRow> AnswerRates,
    IReadOnlyList<AssessmentRow> Assessments,
    IReadOnlyList<AnsweredVsRejectedRow> AnsweredVsRejected,
    IReadOnlyList<UtilityRow> Utilities,
    IReadOnlyList<DeltaRow> Deltas,
    double WallSeconds)
{
    public IReadOnlyList<GreedyDeltaRow> GreedyDeltas { get; init; } = [];

    /// <summary>The checkpoints that decided by calibrated thresholds, as "agent (variant)".</summary>
    public IReadOnlyList<string> Calibrated { get; init; } = [];

    /// <summary>Every query's outcome for every agent (the audit file of <c>report selfaware --decisions</c>).</summary>
    public IReadOnlyList<QueryDecisions> PerQuery { get; init; } = [];
}

/// <summary>One test query as every agent met it: the base model's greedy correctness and p(x), and each trained variant's decisions.</summary>
internal sealed record QueryDecisions(
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("difficulty")] string Difficulty,
    [property: JsonPropertyName("alphas")] IReadOnlyList<double> Alphas,
    [property: JsonPropertyName("agents")] IReadOnlyList<AgentDecisions> Agents);

/// <param name="Capability">p(x) from the ideal rows' samples; null when they were skipped.</param>
/// <param name="Sft">Per α (in <see cref="QueryDecisions.Alphas"/> order): whether it answered as served (by its calibrated thresholds where it has them) and greedily, whether its answer (made to open with the answer template) was right, and its decision's logit gap.</param>
internal sealed record AgentDecisions(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("base_correct")] bool BaseCorrect,
    [property: JsonPropertyName("p")] double? Capability,
    [property: JsonPropertyName("sft")] VariantDecisions? Sft,
    [property: JsonPropertyName("rl")] VariantDecisions? Rl);

internal sealed record VariantDecisions(
    [property: JsonPropertyName("answered")] IReadOnlyList<bool> Answered,
    [property: JsonPropertyName("greedy_answered")] IReadOnlyList<bool> GreedyAnswered,
    [property: JsonPropertyName("correct")] IReadOnlyList<bool> Correct,
    [property: JsonPropertyName("logit_gap")] IReadOnlyList<double> LogitGap);

/// <summary>
/// Evaluates the self-aware agents of a cascade on test queries as serving runs them (greedy answers; decisions by each
/// checkpoint's calibrated thresholds where it has them, else greedy): each agent's
/// answer rate per scenario, its self-assessment as a classifier, the accuracy of what it answers against what it
/// declines, the cascade's accuracy, cost and utility beside the baselines (arithmetic of <see cref="CascadeEvaluation"/>),
/// and ΔPerformance (how much training changed what the model can solve at all).
/// </summary>
internal sealed class SelfAwareReport(IReplyGrader grader, SelfAwareReportOptions options)
{
    public const string SftVariant = "sft";
    public const string RlVariant = "rl";

    /// <summary>
    /// The base model against a second draw of itself (another seed): the ΔPerformance that sampling alone produces, against
    /// which a trained model's is read. Small models at T = 1 solve a hard query in some draws of ten and not in others.
    /// </summary>
    public const string BaseRedrawVariant = "base, drawn again";

    /// <summary>
    /// Added to the report's seed for the base model's second draw: any other seed gives the sampling floor; a fixed
    /// offset keeps the floor the same from one report to the next, and a prime keeps it off the seeds of the rows beside it.
    /// </summary>
    internal const int RedrawSeedOffset = 7919;
    public static readonly string[] Methods = ["smallest", "largest", "random", "oracle", "disrouter-sft", "disrouter-rl"];

    /// <summary>
    /// Suffix of the rows in which the calibrated checkpoints decide greedily instead (the most likely first token):
    /// what the calibration adds. Present only when some checkpoint has decision thresholds.
    /// </summary>
    public const string GreedySuffix = "-greedy";

    /// <summary>The greedy rows' methods, beside <see cref="Methods"/>.</summary>
    public static readonly string[] GreedyMethods = ["disrouter-sft" + GreedySuffix, "disrouter-rl" + GreedySuffix];

    /// <summary>
    /// The decision rules with p(x) known exactly: answer when p(x) ≥ 1 − α (the SFT data rule) or p(x) &gt; (1 − α)^γ
    /// (where the RL reward's expectation turns); the answer's grade is the base model's greedy one, as served.
    /// </summary>
    public static readonly string[] IdealMethods = ["ideal-sft", "ideal-rl"];

    /// <summary>
    /// Prefix of the rows in which one agent (named after the prefix) knows its p(x) and decides by the SFT data rule while
    /// the others decide as trained: how much that one agent's self-assessment costs the cascade. Markdown only.
    /// </summary>
    public const string WithIdealPrefix = "ideal:";

    public SelfAwareReportOptions Options { get; } = options;

    public SelfAwareReportResult Run(IReadOnlyList<AgentCheckpoints> agents, IReadOnlyList<TrainingQuery> queries,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        if (agents.Count == 0) throw new ArgumentException("No agents to evaluate.", nameof(agents));
        if (queries.Count == 0) throw new ArgumentException("No test queries.", nameof(queries));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scenarios = Options.Alphas.Select(Scenario.FromAlpha).ToArray();
        var deltaQueries = queries.Take(Math.Min(Options.DeltaQueries, queries.Count)).ToArray();
        int variants = agents.Sum(a => (a.Sft is null ? 0 : 1) + (a.Rl is null ? 0 : 1));
        bool ideal = Options.IdealSamples > 0;
        long total = (long)queries.Count * (agents.Count * (ideal ? 2 : 1) + variants * scenarios.Length) + (long)deltaQueries.Length * (2 * agents.Count + variants);
        long done = 0;
        void Tick() => progress?.Invoke(new StageProgress("evaluate", Interlocked.Increment(ref done), total));

        var baseCorrect = new List<bool[]>();
        var capability = new List<double[]>();
        var decisions = new Dictionary<(int Agent, string Variant), GradedRun[][]>(); // [α][item]
        var calibrated = new Dictionary<(int Agent, string Variant), DecisionThresholds>();
        var deltas = new List<DeltaRow>();
        for (int k = 0; k < agents.Count; k++)
        {
            var agent = agents[k];
            var baseCkpt = Checkpoint.Load(agent.Base);
            var baseRunner = new ReplyRunner(baseCkpt.Model, baseCkpt.Tokenizer, grader, agent.MaxNewTokens, Options.Parallelism);
            baseCorrect.Add(baseRunner.BaseCorrect(queries, Tick, ct));
            if (ideal) capability.Add(baseRunner.Capability(queries, Options.IdealSamples, Options.IdealTemperature, Options.Seed, Tick, ct));
            bool[]? baseSolved = deltaQueries.Length == 0 || Options.DeltaSamples < 1 ? null
                : baseRunner.SolvedBySampling(deltaQueries, null, Options.DeltaSamples, Options.Seed, Tick, ct);
            if (baseSolved is not null)
                deltas.Add(DeltaRow.Of(agent.Name, BaseRedrawVariant, baseSolved,
                    baseRunner.SolvedBySampling(deltaQueries, null, Options.DeltaSamples, Options.Seed + RedrawSeedOffset, Tick, ct)));
            foreach (var (variant, dir) in new[] { (SftVariant, agent.Sft), (RlVariant, agent.Rl) })
            {
                if (dir is null) continue;
                var ckpt = Checkpoint.Load(dir);
                if (DecisionThresholds.TryRead(dir) is { } thresholds)
                {
                    var weights = WeightsFingerprint.Of(ckpt.Model);
                    if (thresholds.WeightsSha256 != weights)
                        throw new InvalidOperationException($"{Path.Combine(dir, DecisionThresholds.FileName)} was calibrated on other weights " +
                            $"({thresholds.WeightsSha256}, these are {weights}): run calibrate again, or delete it to report greedy decisions.");
                    calibrated[(k, variant)] = thresholds;
                }
                var runner = new ReplyRunner(ckpt.Model, ckpt.Tokenizer, grader, agent.MaxNewTokens, Options.Parallelism) { Style = Core.Scenarios.ScenarioPromptFile.Read(dir) };
                decisions[(k, variant)] = scenarios.Select(s => runner.Decide(queries, s, Tick, ct)).ToArray();
                if (baseSolved is null) continue;
                // Capability, not willingness: the trained model is made to answer, in the scenario that answers most.
                var solved = runner.SolvedBySampling(deltaQueries, scenarios.MaxBy(s => s.Alpha), Options.DeltaSamples, Options.Seed, Tick, ct);
                deltas.Add(DeltaRow.Of(agent.Name, variant, baseSolved, solved));
            }
        }

        // Each checkpoint's decisions as served: by its calibrated thresholds where it has them, else greedy.
        var servedDecisions = decisions.ToDictionary(d => d.Key, d => d.Value.Select((runs, a) =>
            runs.Select(r => r.AnswersAs(calibrated.GetValueOrDefault(d.Key), scenarios[a].Alpha)).ToArray()).ToArray());
        bool[] Served(int k, string variant, int a) => servedDecisions[(k, variant)][a];

        var answerRates = new List<AnswerRateRow>();
        var answeredVsRejected = new List<AnsweredVsRejectedRow>();
        var assessments = new List<AssessmentRow>();
        for (int k = 0; k < agents.Count; k++)
            foreach (var variant in new[] { SftVariant, RlVariant })
            {
                if (!decisions.TryGetValue((k, variant), out var perAlpha)) continue;
                for (int a = 0; a < scenarios.Length; a++)
                {
                    var runs = perAlpha[a];
                    var served = Served(k, variant, a);
                    var answered = Enumerable.Range(0, runs.Length).Where(i => served[i]).ToArray();
                    var rejected = Enumerable.Range(0, runs.Length).Where(i => !served[i]).ToArray();
                    answerRates.Add(new AnswerRateRow(agents[k].Name, variant, scenarios[a].Alpha, (double)answered.Length / runs.Length));
                    answeredVsRejected.Add(new AnsweredVsRejectedRow(agents[k].Name, variant, scenarios[a].Alpha,
                        answered.Length, answered.Length == 0 ? 0 : answered.Average(i => runs[i].Correct ? 1.0 : 0.0),
                        rejected.Length, rejected.Length == 0 ? 0 : rejected.Average(i => baseCorrect[k][i] ? 1.0 : 0.0)));
                }
                assessments.Add(Assess(agents[k], variant, Enumerable.Range(0, scenarios.Length).Select(a => Served(k, variant, a)).ToArray(),
                    scenarios, baseCorrect[k]));
            }

        var utilities = new List<UtilityRow>();
        foreach (var (scenario, a) in scenarios.Select((s, i) => (s, i)))
        {
            var baseResults = agents.Select((ag, k) => new AgentResults(ag.Name, ag.Cost, baseCorrect[k], baseCorrect[k])).ToList();
            utilities.Add(Row("smallest", CascadeEvaluation.Smallest(baseResults, scenario.Alpha)));
            utilities.Add(Row("largest", CascadeEvaluation.Largest(baseResults, scenario.Alpha)));
            utilities.Add(Row("random", CascadeEvaluation.Random(baseResults, scenario.Alpha, (ulong)Options.Seed)));
            utilities.Add(Row("oracle", CascadeEvaluation.Oracle(baseResults, scenario.Alpha)));
            // An agent decides with the first of the given variants it has; without any it takes part as it is, always
            // answering with its base model.
            AgentResults Trained(int k, bool greedy, params string[] variants)
            {
                foreach (var variant in variants)
                    if (decisions.TryGetValue((k, variant), out var d))
                        return new AgentResults(agents[k].Name, agents[k].Cost,
                            greedy ? d[a].Select(r => r.Answered).ToList() : Served(k, variant, a), d[a].Select(r => r.Correct).ToList());
                return new AgentResults(agents[k].Name, agents[k].Cost, Enumerable.Repeat(true, queries.Count).ToList(), baseCorrect[k]);
            }
            foreach (var variant in new[] { SftVariant, RlVariant })
            {
                if (!Enumerable.Range(0, agents.Count).Any(k => decisions.ContainsKey((k, variant)))) continue;
                var results = Enumerable.Range(0, agents.Count).Select(k => Trained(k, false, variant)).ToList();
                utilities.Add(Row("disrouter-" + variant, CascadeEvaluation.Cascade(results, scenario.Alpha)));
                if (!Enumerable.Range(0, agents.Count).Any(k => calibrated.ContainsKey((k, variant)))) continue;
                var greedy = Enumerable.Range(0, agents.Count).Select(k => Trained(k, true, variant)).ToList();
                utilities.Add(Row("disrouter-" + variant + GreedySuffix, CascadeEvaluation.Cascade(greedy, scenario.Alpha)));
            }
            if (!ideal) continue;
            var reward = new SelfAwarenessReward(Options.Gamma);
            Func<double, bool> idealSft = p => !SftDataBuilder.ShouldReject(p, scenario.Alpha);
            foreach (var (method, answers) in new (string, Func<double, bool>)[]
            {
                ("ideal-sft", idealSft),
                ("ideal-rl", p => p > reward.RejectionReward(scenario.Alpha)),
            })
            {
                var results = agents.Select((ag, k) => new AgentResults(ag.Name, ag.Cost, capability[k].Select(answers).ToList(), baseCorrect[k])).ToList();
                utilities.Add(Row(method, CascadeEvaluation.Cascade(results, scenario.Alpha)));
            }
            // The trained cascade (each agent's final checkpoint: RL when trained, else SFT) with one agent at a time
            // deciding from its p(x) by the ideal-sft rule instead. The last agent answers whatever it decides.
            var trained = Enumerable.Range(0, agents.Count).Select(k => Trained(k, false, RlVariant, SftVariant)).ToList();
            for (int k = 0; k < agents.Count - 1; k++)
            {
                var results = trained.ToList();
                results[k] = new AgentResults(agents[k].Name, agents[k].Cost, capability[k].Select(idealSft).ToList(), baseCorrect[k]);
                utilities.Add(Row(WithIdealPrefix + agents[k].Name, CascadeEvaluation.Cascade(results, scenario.Alpha)));
            }
        }

        // Greedy ΔPerformance on every query, in the scenario that answers most (the trained answer, or the forced one).
        var greedyDeltas = new List<GreedyDeltaRow>();
        int widest = Array.IndexOf(scenarios, scenarios.MaxBy(x => x.Alpha));
        for (int k = 0; k < agents.Count; k++)
            foreach (var variant in new[] { SftVariant, RlVariant })
            {
                if (!decisions.TryGetValue((k, variant), out var perAlpha)) continue;
                var runs = perAlpha[widest];
                var b = baseCorrect[k];
                int Count(Func<int, bool> f) => Enumerable.Range(0, queries.Count).Count(f);
                var worst = queries.Select((q, i) => (q.Family, i)).GroupBy(x => x.Family)
                    .Select(g => (Family: g.Key, Base: g.Count(x => b[x.i]), Lost: g.Count(x => b[x.i] && !runs[x.i].Correct)))
                    .OrderByDescending(g => g.Base == 0 ? 0 : (double)g.Lost / g.Base).ThenBy(g => g.Family, StringComparer.Ordinal).First();
                greedyDeltas.Add(new GreedyDeltaRow(agents[k].Name, variant, scenarios[widest].Alpha, queries.Count, Count(i => b[i]),
                    Count(i => runs[i].Correct), Count(i => runs[i].Correct && !b[i]), Count(i => b[i] && !runs[i].Correct),
                    worst.Family, worst.Base, worst.Lost));
            }

        var alphas = scenarios.Select(x => x.Alpha).ToArray();
        VariantDecisions? Variant(int k, string variant, int i) => decisions.TryGetValue((k, variant), out var d)
            ? new VariantDecisions(Enumerable.Range(0, d.Length).Select(a => Served(k, variant, a)[i]).ToArray(),
                d.Select(r => r[i].Answered).ToArray(), d.Select(r => r[i].Correct).ToArray(), d.Select(r => Math.Round(r[i].LogitGap, 4)).ToArray())
            : null;
        var perQuery = queries.Select((q, i) => new QueryDecisions(q.Id, q.Family, q.Difficulty, alphas,
            agents.Select((ag, k) => new AgentDecisions(ag.Name, baseCorrect[k][i], ideal ? capability[k][i] : null,
                Variant(k, SftVariant, i), Variant(k, RlVariant, i))).ToArray())).ToList();
        return new SelfAwareReportResult(agents, queries.Count, baseCorrect.Select(c => c.Average(x => x ? 1.0 : 0.0)).ToList(),
            answerRates, assessments, answeredVsRejected, utilities, deltas, clock.Elapsed.TotalSeconds) {
            PerQuery = perQuery, GreedyDeltas = greedyDeltas,
            Calibrated = calibrated.Keys.OrderBy(x => x.Agent).ThenBy(x => x.Variant, StringComparer.Ordinal).Select(x => $"{agents[x.Agent].Name} ({x.Variant})").ToList(),
        };
    }

    /// <summary>
    /// The decision at <see cref="SelfAwareReportOptions.AssessmentAlpha"/> against the base model's greedy correctness,
    /// on a balanced subset: the larger class is downsampled (seeded) to the size of the smaller.
    /// </summary>
    private AssessmentRow Assess(AgentCheckpoints agent, string variant, bool[][] answeredPerAlpha, Scenario[] scenarios, bool[] baseCorrect)
    {
        int a = Array.FindIndex(scenarios, s => Math.Abs(s.Alpha - Options.AssessmentAlpha) < 1e-9);
        if (a < 0) a = scenarios.Length / 2;
        var runs = answeredPerAlpha[a];
        var positives = Enumerable.Range(0, runs.Length).Where(i => baseCorrect[i]).ToList();
        var negatives = Enumerable.Range(0, runs.Length).Where(i => !baseCorrect[i]).ToList();
        int n = Math.Min(positives.Count, negatives.Count);
        StableSeed.Shuffle(positives, new Random(StableSeed.Derive(Options.Seed, "assess-pos", agent.Name)));
        StableSeed.Shuffle(negatives, new Random(StableSeed.Derive(Options.Seed, "assess-neg", agent.Name)));
        var subset = positives.Take(n).Concat(negatives.Take(n)).Order().ToList();
        var s = SelfAssessment.Of(new AgentResults(agent.Name, agent.Cost, subset.Select(i => runs[i]).ToList(), subset.Select(i => baseCorrect[i]).ToList()));
        return new AssessmentRow(agent.Name, variant, scenarios[a].Alpha, s.Items, s.Accuracy, s.F1, s.Precision, s.Recall);
    }

    private static UtilityRow Row(string method, RoutingOutcome o) => new(method, o.Alpha, o.Accuracy, o.Cost, o.Utility, o.RoutingShare);
}

/// <summary>The report's machine-readable lines (<c>report selfaware --json</c>).</summary>
internal static class SelfAwareJson
{
    internal sealed record AnswerRateLine(
        [property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("agent")] string Agent,
        [property: JsonPropertyName("alpha")] double Alpha, [property: JsonPropertyName("value")] double Value);

    internal sealed record AssessmentLine(
        [property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("agent")] string Agent,
        [property: JsonPropertyName("accuracy")] double Accuracy, [property: JsonPropertyName("f1")] double F1);

    internal sealed record UtilityLine(
        [property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("alpha")] double Alpha, [property: JsonPropertyName("accuracy")] double Accuracy,
        [property: JsonPropertyName("cost")] double Cost, [property: JsonPropertyName("utility")] double Utility);

    /// <summary>
    /// answer_rate per agent (cascade order) and α, then self_assessment per agent, then utility per α and method — for each
    /// agent its final self-aware checkpoint (RL when trained, else SFT).
    /// </summary>
    public static IEnumerable<object> Lines(SelfAwareReportResult r)
    {
        foreach (var agent in r.Agents)
        {
            var variant = Final(r, agent.Name);
            if (variant is null) continue;
            foreach (var row in r.AnswerRates.Where(x => x.Agent == agent.Name && x.Variant == variant))
                yield return new AnswerRateLine("answer_rate", agent.Name, Round(row.Alpha), Round(row.Value));
        }
        foreach (var agent in r.Agents)
        {
            var variant = Final(r, agent.Name);
            var row = r.Assessments.FirstOrDefault(x => x.Agent == agent.Name && x.Variant == variant);
            if (row is not null) yield return new AssessmentLine("self_assessment", agent.Name, Round(row.Accuracy), Round(row.F1));
        }
        foreach (var alpha in r.Utilities.Select(u => u.Alpha).Distinct())
            foreach (var method in SelfAwareReport.Methods)
                foreach (var u in r.Utilities.Where(x => x.Alpha == alpha && x.Method == method))
                    yield return new UtilityLine("utility", u.Method, Round(u.Alpha), Round(u.Accuracy), Round(u.Cost), Round(u.Utility));
    }

    public static string? Final(SelfAwareReportResult r, string agent) =>
        r.AnswerRates.Any(x => x.Agent == agent && x.Variant == SelfAwareReport.RlVariant) ? SelfAwareReport.RlVariant
        : r.AnswerRates.Any(x => x.Agent == agent && x.Variant == SelfAwareReport.SftVariant) ? SelfAwareReport.SftVariant : null;

    private static double Round(double v) => Math.Round(v, 4);
}
