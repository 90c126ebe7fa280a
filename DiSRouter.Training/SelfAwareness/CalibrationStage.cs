using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Torch;

namespace DiSRouter.Training.SelfAwareness;

internal sealed record CalibrationOptions
{
    /// <summary>
    /// The α the thresholds are measured at; serving interpolates between them. The RL grid with both ends reached
    /// beyond it (0.05, 0.95), so that α between the trained scenarios has measured neighbours on both sides.
    /// </summary>
    public IReadOnlyList<double> Alphas { get; init; } = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

    /// <summary>γ of the reward the thresholds maximise: the RL stage's, so that calibration pursues what RL did.</summary>
    public double Gamma { get; init; } = SelfAwarenessReward.DefaultGamma;

    public int MaxNewTokens { get; init; } = 256;
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The TorchSharp engine's device ("cpu", "cuda", "auto") to ask the checkpoint on it; null asks it on ours.</summary>
    public string? TorchDevice { get; init; }
}

/// <summary>One α of a calibration: every query's decision logit gap, greedy decision and answer grade (the resume log's line).</summary>
internal sealed record CalibrationRecord(
    [property: JsonPropertyName("inputs")] string Inputs,
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("logit_gap")] IReadOnlyList<double> LogitGap,
    [property: JsonPropertyName("greedy_answered")] IReadOnlyList<bool> GreedyAnswered,
    [property: JsonPropertyName("correct")] IReadOnlyList<bool> Correct);

internal sealed record CalibrationResult(DecisionThresholds Thresholds, StageReport Report, bool Reused);

/// <summary>
/// Stage 4 (beyond the paper): calibrates how a trained checkpoint decides. Greedy decoding answers when the answer's
/// first token is more likely than the rejection's; calibration instead finds, for each α of a grid, the threshold on
/// that logit gap that maximises the checkpoint's own mean reward — 1 for a right answer, 0 for a wrong one, (1 − α)^γ
/// for a rejection, RL's reward — on held-out queries (the validation split), and writes them to decision.json beside
/// the weights, which serving reads. WHY: a policy trained to a reward still answers by argmax, which spends the
/// model's own confidence at one fixed cut; the reward says where the cut should be, and a few hundred held-out
/// queries place it. Only the agent's own model and the task graders are used: plug-and-play holds.
/// The threshold maximises the reward in expectation over the calibration queries; in the cascade, a cheap agent's
/// cut matters most where α is small (an answer there must be right ~97 % of the time at γ = 0.125).
/// </summary>
internal sealed class CalibrationStage(IReplyGrader grader, CalibrationOptions options)
{
    public const string Name = "calibrate";

    /// <summary>Names how replies are computed, in the inputs hash: a change to it makes logged replies stale.</summary>
    private const string ReplyComputation = "whole-prompt";

    public CalibrationOptions Options { get; } = options;

    // The model as it will be asked, with its weights' fingerprint: on torch read straight onto the device as an agent
    // serving it reads it (bf16 where the device serves in it), fingerprinted as it streams in, never a float32 copy of
    // the model in host memory.
    private (ITextGenerator Generator, ITokenizer Tokenizer, string Weights) Open(string checkpointDirectory)
    {
        if (Options.TorchDevice is { } device)
        {
            var opened = new TorchInferenceEngine(device).OpenDirectory(checkpointDirectory);
            return (opened.Generator, opened.Tokenizer, opened.WeightsFingerprint);
        }
        var ckpt = Checkpoint.Load(checkpointDirectory);
        return (new Generator(ckpt.Model, ckpt.Tokenizer), ckpt.Tokenizer, WeightsFingerprint.Of(ckpt.Model));
    }

    /// <summary>The stage's files for the checkpoint in folder <paramref name="checkpointFolder"/> (sft or rl) of a run.</summary>
    public static string LogPath(string runDirectory, string checkpointFolder) => Path.Combine(runDirectory, $"{Name}-{checkpointFolder}-log.jsonl");

    public static string ReportPath(string runDirectory, string checkpointFolder) => StageReport.PathFor(runDirectory, $"{Name}-{checkpointFolder}");

    /// <summary>
    /// Calibrates the checkpoint at <paramref name="checkpointDirectory"/> on <paramref name="queries"/>. Each α's replies
    /// are appended to the run's log as they finish, so an interrupted run resumes at the next α and a finished one asks
    /// the model nothing again (another γ or grid is computed from the logged replies); decision.json is written last,
    /// atomically, and only when its thresholds changed.
    /// </summary>
    public CalibrationResult Run(string checkpointDirectory, IReadOnlyList<TrainingQuery> queries, string runDirectory,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        if (queries.Count == 0) throw new ArgumentException("No calibration queries.", nameof(queries));
        var reward = new SelfAwarenessReward(Options.Gamma);
        foreach (var a in Options.Alphas)
            if (!(a >= 0 && a <= 1)) throw new ArgumentException($"α {a} is outside [0, 1].", nameof(options));
        var alphas = Options.Alphas.Distinct().Order().ToArray();
        var folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpointDirectory));
        var logPath = LogPath(runDirectory, folder);
        var reportPath = ReportPath(runDirectory, folder);

        var (generator, tokenizer, weights) = Open(checkpointDirectory);
        var style = ScenarioPromptFile.Read(checkpointDirectory);
        // What the replies depend on: the weights, the queries, the reply budget, and how they are computed (whole prompts,
        // ReplyRunner; replies logged before that switch came from shared cached prefixes and are not reused). The
        // thresholds also depend on γ and the grid, which are cheap to apply again to logged replies.
        // The engine is named when it is TorchSharp's (the engines round differently, so their logit gaps differ in the last
        // digits); ours is left unnamed, so that logs made before the option existed are still reused.
        // The scenario wording is named when it is not the compact default, so logs made before it was a choice are still reused.
        var computation = (Options.TorchDevice is null ? ReplyComputation : $"{ReplyComputation}, torch") +
            (style == SelfAwarePrompt.Style ? "" : $", {ScenarioPromptFile.Name(style)} scenario prompt");
        var inputs = CompletedStage.InputsHash(weights, string.Join(",", queries.Select(q => q.Id)),
            Options.MaxNewTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), computation);
        var previous = StageReport.TryLoad(reportPath);
        // Replies logged by an earlier run of the same inputs are kept (an interrupted run resumes at the next α; a finished
        // one is not asked again); anything else in the log is from other inputs.
        var logged = JsonlFile.Read<CalibrationRecord>(logPath).Where(r => r.Inputs == inputs && r.LogitGap.Count == queries.Count)
            .GroupBy(r => r.Alpha).ToDictionary(g => g.Key, g => g.Last());
        bool reused = alphas.All(logged.ContainsKey);
        var meter = new StageMeter($"{Name}-{folder}", previous?.Status == "interrupted" || reused ? previous : null);
        meter.Detail("checkpoint", Path.GetFullPath(checkpointDirectory));
        meter.Detail("weights_sha256", weights);
        meter.Detail("queries", queries.Count);
        meter.Detail("gamma", Options.Gamma);
        meter.Detail("alphas", alphas);

        if (File.Exists(logPath) && logged.Count == 0) File.Delete(logPath);
        var runner = new ReplyRunner(generator, tokenizer, grader, Options.MaxNewTokens, Options.Parallelism) { Style = style };
        var todo = alphas.Where(a => !logged.ContainsKey(a)).ToArray();
        long total = (long)alphas.Length * queries.Count, done = (long)(alphas.Length - todo.Length) * queries.Count;
        progress?.Invoke(new StageProgress(Name, done, total));
        // Each α's replies are a line flushed to the log, the resume point itself; progress is told per query, not per α.
        var stage = new StageRunner(Name, meter, reportPath);
        using (var log = JsonlFile.OpenAppend(logPath))
        {
            stage.Run(0, todo.Length, i =>
            {
                var alpha = todo[i];
                try
                {
                    var runs = runner.Decide(queries, Scenario.FromAlpha(alpha), () => progress?.Invoke(new StageProgress(Name, Interlocked.Increment(ref done), total)), ct);
                    var record = new CalibrationRecord(inputs, alpha, runs.Select(r => r.LogitGap).ToArray(), runs.Select(r => r.Answered).ToArray(),
                        runs.Select(r => r.Correct).ToArray());
                    JsonlFile.Append(log, record);
                    logged[alpha] = record;
                    return null;
                }
                finally
                {
                    // What was asked is counted, an α cut off part way too.
                    meter.PromptTokens = runner.PromptTokens;
                    meter.GeneratedTokens = runner.GeneratedTokens;
                }
            }, ct);
        }

        var points = Points(alphas.Select(a => logged[a]).ToList(), reward);
        var thresholds = new DecisionThresholds
        {
            AnswerText = AnswerTemplate.Opening,
            RejectText = ScenarioPrompt.RejectText,
            WeightsSha256 = weights,
            Points = points,
            Calibration = JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                ["objective"] = "mean reward on the calibration queries (1 right answer, 0 wrong answer, (1 - alpha)^gamma rejection), answers not fewer as alpha rises",
                ["gamma"] = Options.Gamma,
                ["queries"] = queries.Count,
                ["inputs"] = inputs,
            }),
        };
        meter.Detail("thresholds", points);
        var report = stage.Complete(() =>
        {
            // Unchanged thresholds are not rewritten: a serving agent watching the folder would reload for nothing.
            var file = Path.Combine(checkpointDirectory, DecisionThresholds.FileName);
            if (!File.Exists(file) || File.ReadAllText(file) != thresholds.ToJson()) thresholds.Write(checkpointDirectory);
        });
        return new CalibrationResult(thresholds, report, reused);
    }

    /// <summary>
    /// The thresholds of every α (records in ascending α): at each α the logit gap above which answering maximises
    /// Σ (right − (1 − α)^γ) over the answered queries, with one constraint across α: the number answered may not fall
    /// as α rises (a user who weighs cost more never gets fewer answers). Without it, each α's cut follows the noise of
    /// a few queries, and between grid points the interpolated threshold could answer less at a higher α. Solved exactly
    /// by dynamic programming over (α, number answered). Each threshold lies midway between the last query answered and
    /// the first declined (not on a calibration query's own value); answering none or all is allowed.
    /// </summary>
    internal static IReadOnlyList<DecisionPoint> Points(IReadOnlyList<CalibrationRecord> records, SelfAwarenessReward reward)
    {
        int n = records[0].LogitGap.Count, k = records.Count;
        var orders = new int[k][];
        var gain = new double[k][]; // gain[a][m]: Σ (right − r) over the m largest gaps; NaN where m would split equal gaps
        for (int a = 0; a < k; a++)
        {
            var r = records[a];
            if (r.LogitGap.Count != n || r.Correct.Count != n) throw new ArgumentException("Every α needs a reply to every query.", nameof(records));
            var order = Enumerable.Range(0, n).OrderByDescending(i => r.LogitGap[i]).ToArray();
            double rejection = reward.RejectionReward(r.Alpha);
            var g = new double[n + 1];
            for (int m = 1; m <= n; m++) g[m] = g[m - 1] + (r.Correct[order[m - 1]] ? 1 : 0) - rejection;
            for (int m = 1; m < n; m++)
                if (r.LogitGap[order[m]] == r.LogitGap[order[m - 1]]) g[m] = double.NaN; // equal gaps decide alike
            orders[a] = order;
            gain[a] = g;
        }

        // best[a][m]: the largest total over α 0..a with m answered at α a and non-decreasing counts before it.
        var best = new double[k][];
        var from = new int[k][];
        for (int a = 0; a < k; a++)
        {
            best[a] = new double[n + 1];
            from[a] = new int[n + 1];
            double runMax = double.NegativeInfinity;
            int runArg = -1;
            for (int m = 0; m <= n; m++)
            {
                if (a > 0 && best[a - 1][m] > runMax) { runMax = best[a - 1][m]; runArg = m; }
                double here = double.IsNaN(gain[a][m]) ? double.NegativeInfinity : gain[a][m];
                best[a][m] = a == 0 ? here : here + runMax;
                from[a][m] = runArg;
            }
        }
        var counts = new int[k];
        counts[k - 1] = ArgMax(best[k - 1]);
        for (int a = k - 1; a > 0; a--) counts[a - 1] = from[a][counts[a]];

        var points = new List<DecisionPoint>(k);
        for (int a = 0; a < k; a++)
        {
            var r = records[a];
            var order = orders[a];
            int m = counts[a];
            double threshold = m == 0 ? r.LogitGap[order[0]] + 1
                : m == n ? r.LogitGap[order[n - 1]] - 1
                : (r.LogitGap[order[m - 1]] + r.LogitGap[order[m]]) / 2;
            double rejection = reward.RejectionReward(r.Alpha);
            double MeanReward(Func<int, bool> answers) =>
                Enumerable.Range(0, n).Average(i => answers(i) ? (r.Correct[i] ? 1.0 : 0.0) : rejection);
            points.Add(new DecisionPoint(r.Alpha, threshold,
                AnswerRate: Math.Round((double)m / n, 4),
                MeanReward: Math.Round(MeanReward(i => r.LogitGap[i] >= threshold), 4),
                GreedyAnswerRate: Math.Round(r.GreedyAnswered.Average(x => x ? 1.0 : 0.0), 4),
                GreedyMeanReward: Math.Round(MeanReward(i => r.GreedyAnswered[i]), 4)));
        }
        return points;
    }

    // First index of the largest value; ties go to the fewest answers.
    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best] + 1e-12) best = i;
        return best;
    }
}
