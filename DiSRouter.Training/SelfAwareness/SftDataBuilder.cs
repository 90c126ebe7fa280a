using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// Builds self-awareness SFT data from an agent's own samples. For each scenario α, δ = 1 − α: a query whose
/// capability p(x) is below δ gets the target "I don't know!"; otherwise the answer template filled from one of
/// the model's own correct samples (a seeded choice). Each scenario keeps as many answers as rejections
/// (the larger class is downsampled; with <c>maxRepeats</c> &gt; 1 the smaller one may first be repeated up to that many
/// times, for agents that can answer almost nothing in a strict scenario) and every scenario contributes the same number of examples, so the model
/// learns neither a bias towards one reply nor towards one scenario. With <see cref="SftBalance.Overall"/> the answers
/// and rejections are equal over the whole set instead, each scenario keeping its own proportion (see
/// <see cref="OverallAnswerShares"/>). The scenario instruction is the system message
/// (followed by the query's own task instruction, if it has one, as the serving agent joins them).
/// </summary>
internal sealed class SftDataBuilder(IReadOnlyList<double> alphas, int seed, int? maxExamples = null, int maxRepeats = 1,
    SftBalance balance = SftBalance.PerScenario, ScenarioPromptStyle style = SelfAwarePrompt.Style)
{
    /// <summary>Slack for p(x) = δ exactly (e.g. 8/10 against 1 − 0.2), which must count as answerable.</summary>
    private const double ThresholdSlack = 1e-9;

    public IReadOnlyList<double> Alphas { get; } = Validate(alphas);

    public static bool ShouldReject(double capability, double alpha) => capability < 1 - alpha - ThresholdSlack;

    public SftDataSet Build(IEnumerable<QuerySamples> samples)
    {
        // Sorted by id: the data must not depend on the order in which sampling finished (resume, parallelism).
        var queries = samples.OrderBy(q => q.Id, StringComparer.Ordinal).ToList();
        var perScenario = new List<(Scenario Scenario, List<SftExample> Answers, List<SftExample> Rejects, int SkippedNone, int SkippedParse)>();
        foreach (var alpha in Alphas)
        {
            var scenario = Scenario.FromAlpha(alpha);
            var answers = new List<SftExample>();
            var rejects = new List<SftExample>();
            int skippedNone = 0, skippedParse = 0;
            foreach (var q in queries)
            {
                var p = q.Capability;
                if (ShouldReject(p, alpha))
                {
                    rejects.Add(Example(q, scenario, style, ScenarioPrompt.RejectText, reject: true));
                    continue;
                }
                var correct = q.Samples.Where(s => s.Correct).ToList();
                if (correct.Count == 0) { skippedNone++; continue; }
                var rng = new Random(StableSeed.Derive(seed, "answer-sample", q.Id, Key(alpha)));
                // Start at a seeded sample; fall through to the next correct one if its answer cannot be read.
                int start = rng.Next(correct.Count);
                string? target = null;
                for (int k = 0; k < correct.Count && target is null; k++)
                {
                    var s = correct[(start + k) % correct.Count];
                    target = AnswerTemplate.Normalise(s.Text, s.Answer);
                }
                if (target is null) { skippedParse++; continue; }
                answers.Add(Example(q, scenario, style, target, reject: false));
            }
            perScenario.Add((scenario, answers, rejects, skippedNone, skippedParse));
        }

        if (maxRepeats < 1) throw new ArgumentOutOfRangeException(nameof(maxRepeats), maxRepeats, "Each example appears at least once.");
        // Every scenario contributes 2·T examples. T is the middle of what the balanced scenarios (both classes present)
        // can give per class: the larger class, or the smaller one repeated up to maxRepeats times, whichever is less.
        // A scenario whose smaller class cannot reach T even with repeats keeps all of it (repeated) and fills up with
        // the larger class; a scenario with one class only (an agent that answers nothing right often enough for a strict
        // threshold) gives 2·T of the class it has, so the agent learns to always reject there. With the paper's rule
        // (no repeats) and scenarios of similar shape this is plain downsampling to equal classes.
        var balanced = perScenario.Where(s => s.Answers.Count > 0 && s.Rejects.Count > 0)
            .Select(s => Math.Min(Math.Max(s.Answers.Count, s.Rejects.Count), Math.Min(s.Answers.Count, s.Rejects.Count) * maxRepeats))
            .Order().ToList();
        int perClass = balanced.Count == 0 ? 0 : balanced[(balanced.Count - 1) / 2];
        if (maxExamples is int max) perClass = Math.Min(perClass, max / (2 * Math.Max(1, perScenario.Count)));

        var shares = balance == SftBalance.Overall
            ? OverallAnswerShares(perScenario.Select(s => (s.Answers.Count, s.Rejects.Count)).ToList())
            : null;

        var all = new List<SftExample>();
        var counts = new List<SftScenarioCounts>();
        for (int k = 0; k < perScenario.Count; k++)
        {
            var (scenario, answers, rejects, skippedNone, skippedParse) = perScenario[k];
            var key = Key(scenario.Alpha);
            StableSeed.Shuffle(answers, new Random(StableSeed.Derive(seed, "keep-answers", key)));
            StableSeed.Shuffle(rejects, new Random(StableSeed.Derive(seed, "keep-rejects", key)));
            int keepAnswers, keepRejects;
            if (shares is not null)
            {
                // 2·T examples in the scenario's own (shifted) proportion, each class repeated at most maxRepeats times.
                int wantAnswers = (int)Math.Round(2 * perClass * shares[k]);
                keepAnswers = Math.Min(answers.Count * maxRepeats, wantAnswers);
                keepRejects = Math.Min(rejects.Count * maxRepeats, 2 * perClass - wantAnswers);
            }
            else
            {
                var (minority, majority) = answers.Count <= rejects.Count ? (answers, rejects) : (rejects, answers);
                int keepMinority = Math.Min(minority.Count * maxRepeats, perClass);
                int keepMajority = Math.Min(majority.Count * maxRepeats, 2 * perClass - keepMinority);
                keepAnswers = ReferenceEquals(minority, answers) ? keepMinority : keepMajority;
                keepRejects = ReferenceEquals(minority, answers) ? keepMajority : keepMinority;
            }
            all.AddRange(Cycle(answers, keepAnswers));
            all.AddRange(Cycle(rejects, keepRejects));
            counts.Add(new SftScenarioCounts
            {
                Alpha = scenario.Alpha,
                Scenario = scenario.Name,
                Threshold = scenario.RejectionThreshold,
                Queries = queries.Count,
                LabelledAnswer = answers.Count,
                LabelledReject = rejects.Count,
                SkippedNoCorrectSample = skippedNone,
                SkippedUnparseable = skippedParse,
                KeptAnswer = keepAnswers,
                KeptReject = keepRejects,
            });
        }
        StableSeed.Shuffle(all, new Random(StableSeed.Derive(seed, "mix")));
        return new SftDataSet(all, counts);
    }

    /// <summary>
    /// Each scenario's answer share under <see cref="SftBalance.Overall"/>: its labels' odds a/r times the one factor
    /// s that makes the shares average one half (found by bisection on log s; the mean share rises with s). A scenario
    /// with one class only keeps share 0 or 1.
    /// </summary>
    internal static double[] OverallAnswerShares(IReadOnlyList<(int Answers, int Rejects)> labels)
    {
        double Share((int Answers, int Rejects) l, double s) =>
            l.Answers == 0 ? 0 : l.Rejects == 0 ? 1 : s * l.Answers / (s * l.Answers + l.Rejects);
        double Mean(double s) => labels.Average(l => Share(l, s));
        double lo = -30, hi = 30;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (Mean(Math.Exp(mid)) < 0.5) lo = mid; else hi = mid;
        }
        double factor = Math.Exp((lo + hi) / 2);
        return labels.Select(l => Share(l, factor)).ToArray();
    }

    // The first n of a shuffled list, going round again when it is shorter (at most maxRepeats times, by perClass).
    private static IEnumerable<SftExample> Cycle(List<SftExample> list, int n) =>
        list.Count == 0 ? [] : Enumerable.Range(0, n).Select(i => list[i % list.Count]);

    private static SftExample Example(QuerySamples q, Scenario scenario, ScenarioPromptStyle style, string target, bool reject) => new()
    {
        QueryId = q.Id,
        Alpha = scenario.Alpha,
        Scenario = scenario.Name,
        System = SelfAwarePrompt.System(scenario, q.System, style),
        User = q.Question,
        Target = target,
        Reject = reject,
        Capability = q.Capability,
    };

    private static string Key(double alpha) => alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<double> Validate(IReadOnlyList<double> alphas)
    {
        if (alphas.Count == 0) throw new ArgumentException("At least one scenario α is needed.", nameof(alphas));
        foreach (var a in alphas)
            if (double.IsNaN(a) || a < 0 || a > 1)
                throw new ArgumentOutOfRangeException(nameof(alphas), a, "Every α must lie in [0, 1].");
        if (alphas.Distinct().Count() != alphas.Count) throw new ArgumentException("The α grid has duplicates.", nameof(alphas));
        return alphas.ToArray();
    }
}
