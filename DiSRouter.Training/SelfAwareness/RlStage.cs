using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Inference;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.SelfAwareness;

internal sealed record RlOptions
{
    /// <summary>Scenarios mixed in equal shares: every query appears once per α.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = Scenario.Named.Select(s => s.Alpha).ToArray();

    public int Seed { get; init; }

    /// <summary>K: samples per prompt at temperature 1.</summary>
    public int SamplesPerQuery { get; init; } = 8;

    public double Temperature { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>(query, α) prompts per step; the batch is this times K rollouts.</summary>
    public int PromptsPerStep { get; init; } = 6;

    /// <summary>Optimizer steps; null runs <see cref="Epochs"/> passes over every (query, α).</summary>
    public int? Steps { get; init; }

    public int Epochs { get; init; } = 1;

    /// <summary>Small: RL should move the decision to answer, not the answers themselves.</summary>
    public double LearningRate { get; init; } = 2e-5;

    public double MinLearningRate { get; init; } = 2e-6;
    public int WarmupSteps { get; init; }
    public double WeightDecay { get; init; }
    public double GradClip { get; init; } = 1.0;
    public int MicroBatchSize { get; init; } = 8;

    /// <summary>Passes over one batch of rollouts; above 1 the ratio leaves 1 and the clip starts to matter.</summary>
    public int UpdatesPerBatch { get; init; } = 1;

    public double KlCoef { get; init; } = 0.01;
    public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>γ of the rejection reward (1 − α)^γ.</summary>
    public double Gamma { get; init; } = SelfAwarenessReward.DefaultGamma;

    public int SaveEvery { get; init; } = 10;

    [JsonIgnore] public CheckpointDType OutputDType { get; init; } = CheckpointDType.F32;

    /// <summary>
    /// The TorchSharp engine's device ("cpu", "cuda", "auto") to roll out, score and train on it; null runs on ours. Part
    /// of the inputs when set (the engines round differently); left out of the JSON when null, so earlier runs keep their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TorchDevice { get; init; }
}

/// <summary>One RL step's figures, one line of <c>rl-log.jsonl</c>.</summary>
internal sealed record RlStepLog
{
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("mean_reward")] public double MeanReward { get; init; }
    [JsonPropertyName("answer_rate")] public double AnswerRate { get; init; }
    [JsonPropertyName("accuracy_answered")] public double AccuracyAnswered { get; init; }
    [JsonPropertyName("kl")] public double Kl { get; init; }
    [JsonPropertyName("loss")] public double Loss { get; init; }
    [JsonPropertyName("clip_fraction")] public double ClipFraction { get; init; }
    [JsonPropertyName("mean_response_tokens")] public double MeanResponseTokens { get; init; }
    [JsonPropertyName("grad_norm")] public double GradNorm { get; init; }
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; }

    /// <summary>Per α: answer rate and mean reward of this step's rollouts.</summary>
    [JsonPropertyName("by_alpha")] public Dictionary<string, double[]> ByAlpha { get; init; } = [];
}

internal sealed record RlResult(string CheckpointDirectory, int Steps, IReadOnlyList<RlStepLog> Log, StageReport Report)
{
    /// <summary>True when the stage had already completed with the same inputs and its output was returned as it was.</summary>
    public bool Reused { get; init; }
}

/// <summary>
/// Stage 3: REINFORCE++ from the SFT checkpoint with the scenario-conditioned reward. The reference policy is the
/// SFT model, frozen; π_old is the policy that drew the batch. Each step draws K samples at temperature 1 for
/// <see cref="RlOptions.PromptsPerStep"/> (query, α) prompts, grades them, and takes
/// <see cref="RlOptions.UpdatesPerBatch"/> optimizer steps on the clipped surrogate (<see cref="ReinforcePlusPlus"/>).
/// Writes <c>rl/</c> (appears only complete), <c>rl-log.jsonl</c> and <c>rl-report.json</c>; resumes from <c>rl.state/</c>
/// (<see cref="StageRunner"/>). Runs on our engine or TorchSharp's (<see cref="PolicyEngine"/>).
/// </summary>
internal sealed class RlStage(IReplyGrader grader, RlOptions options)
{
    public const string Name = "rl";
    public const string CheckpointFolder = "rl";
    public const string LogFile = "rl-log.jsonl";
    private const string StateFolder = "rl.state";

    public RlOptions Options { get; } = Validate(options);

    private sealed record Progress(int Step, int TotalSteps, string ReferenceHash, string PromptsHash);

    // The SFT checkpoint's scenario wording (scenario_prompt.json): rollouts are prompted as SFT trained and serving will prompt.
    private ScenarioPromptStyle _style = SelfAwarePrompt.Style;

    public RlResult Run(string sftCheckpoint, IReadOnlyList<TrainingQuery> queries, string runDirectory,
        Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        if (queries.Count == 0) throw new ArgumentException("RL needs at least one query.", nameof(queries));
        Directory.CreateDirectory(runDirectory);
        var referenceHash = CompletedStage.FileHash(Path.Combine(sftCheckpoint, Checkpoint.WeightsFileName));
        _style = ScenarioPromptFile.Read(sftCheckpoint);

        // Every query once per α, sorted then shuffled per epoch by BatchOrder: equal shares of every scenario.
        var prompts = queries.OrderBy(q => q.Id, StringComparer.Ordinal)
            .SelectMany(q => Options.Alphas.Select(a => (Query: q, Scenario: Scenario.FromAlpha(a)))).ToArray();
        var promptsHash = SftStage.Hash(prompts.Select(p => new SftExample
        {
            QueryId = p.Query.Id, Alpha = p.Scenario.Alpha, Scenario = p.Scenario.Name, System = p.Query.System ?? "",
            User = p.Query.Question, Target = p.Query.Reference, Reject = false, Capability = 0,
        }));
        int totalSteps = Options.Steps ?? Math.Max(1, (int)Math.Ceiling((double)Options.Epochs * prompts.Length / Options.PromptsPerStep));

        var statePath = Path.Combine(runDirectory, StateFolder);
        var reportPath = StageReport.PathFor(runDirectory, Name);
        var logPath = Path.Combine(runDirectory, LogFile);
        var outDir = Path.Combine(runDirectory, CheckpointFolder);
        var inputs = CompletedStage.InputsHash(Name, referenceHash, promptsHash, OptionsJson());
        if (!Directory.Exists(statePath) && CompletedStage.Find(outDir, reportPath, inputs) is { } done)
        {
            progress?.Invoke(new StageProgress("rl", totalSteps, totalSteps, "already complete with these inputs"));
            return new RlResult(outDir, totalSteps, JsonlFile.Read<RlStepLog>(logPath), done) { Reused = true };
        }
        var saved = ResumeState.TryLoad<Progress>(statePath);
        if (saved is not null && (saved.Progress.ReferenceHash != referenceHash || saved.Progress.PromptsHash != promptsHash))
            throw new InvalidOperationException($"{statePath} was made from another SFT checkpoint or query set; delete it to start over.");
        var state = saved?.Progress ?? new Progress(0, totalSteps, referenceHash, promptsHash);

        // The log keeps exactly the steps the resume point has; later lines were lost work and are redone.
        var log = JsonlFile.Read<RlStepLog>(logPath).Where(l => l.Step < state.Step).ToList();
        JsonlFile.WriteAll(logPath, log);

        // The reference is the SFT checkpoint, frozen; the policy starts from the resume point when there is one.
        using var reference = PolicyEngine.Open(sftCheckpoint, options: null, Options.TorchDevice);
        using var policy = PolicyEngine.Open(saved?.CheckpointDirectory ?? sftCheckpoint, new TrainerOptions
        {
            LearningRate = Options.LearningRate,
            MinLearningRate = Options.MinLearningRate,
            WarmupSteps = Math.Min(Options.WarmupSteps, totalSteps * Options.UpdatesPerBatch),
            TotalSteps = totalSteps * Options.UpdatesPerBatch,
            WeightDecay = Options.WeightDecay,
            GradClip = Options.GradClip,
            MicroBatchSize = Options.MicroBatchSize,
            Seed = Options.Seed,
        }, Options.TorchDevice);
        var tokenizer = policy.Tokenizer;
        if (saved is not null) policy.LoadState(saved.TrainerStatePath);
        var meter = new StageMeter(Name, saved?.Report);
        meter.Detail("sft_checkpoint", Path.GetFullPath(sftCheckpoint));
        meter.Detail("options", Options with { Alphas = Options.Alphas.ToArray() });
        meter.Detail("queries", queries.Count);
        meter.Detail("total_steps", totalSteps);

        var reward = new SelfAwarenessReward(Options.Gamma);
        var rpp = new ReinforcePlusPlus(new ReinforcePlusPlusOptions { KlCoef = Options.KlCoef, ClipEpsilon = Options.ClipEpsilon });
        var order = new BatchOrder(prompts.Length, Options.PromptsPerStep, Options.Seed, "rl-epoch");
        var runner = new StageRunner("rl", meter, reportPath)
        {
            SaveEvery = Options.SaveEvery,
            Save = report => ResumeState.Save(statePath, policy, state, report),
            Progress = progress,
        };
        using (var logStream = JsonlFile.OpenAppend(logPath))
        {
            runner.Run(state.Step, totalSteps, step =>
            {
                var batch = order.Batch(step).Select(i => prompts[i]).ToList();
                var entry = Step(step, batch, policy, tokenizer, reference, reward, rpp, meter, ct);
                JsonlFile.Append(logStream, entry);
                log.Add(entry);
                state = state with { Step = step + 1 };
                return $"reward {entry.MeanReward:0.000}, answer {entry.AnswerRate:0.00}";
            }, ct);
        }

        var metadata = CompletedStage.Metadata(Name, inputs, Options.Alphas, Options.Seed, totalSteps);
        metadata["reference_sha256"] = referenceHash;
        if (log.Count > 0)
        {
            meter.Detail("mean_reward_first", log[0].MeanReward);
            meter.Detail("mean_reward_last", log[^1].MeanReward);
        }
        var report = runner.Complete(() => AtomicWrite.ReplaceDirectory(outDir, d =>
        {
            policy.Save(d, Options.OutputDType, metadata);
            if (File.Exists(Path.Combine(sftCheckpoint, ScenarioPromptFile.FileName))) ScenarioPromptFile.Write(d, _style);
        }), statePath);
        return new RlResult(outDir, totalSteps, log, report);
    }

    private string OptionsJson() => JsonSerializer.Serialize(Options with { Alphas = Options.Alphas.ToArray() }, JsonlFile.Json);

    private RlStepLog Step(int step, IReadOnlyList<(TrainingQuery Query, Scenario Scenario)> batch, PolicyEngine policy,
        ITokenizer tokenizer, PolicyEngine reference, SelfAwarenessReward reward, ReinforcePlusPlus rpp, StageMeter meter, CancellationToken ct)
    {
        // ---- rollouts: K samples per (query, α) from the current policy
        var generator = policy.Generator();
        var sequences = new List<int[]>();
        var masks = new List<float[]>();
        var rewards = new List<double>();
        var alphaOf = new List<double>();
        var answered = new List<bool>();
        var correct = new List<bool>();
        for (int j = 0; j < batch.Count; j++)
        {
            var (q, scenario) = batch[j];
            var prompt = ChatFormat.EncodePrompt(tokenizer, SelfAwarePrompt.System(scenario, q.System, _style), q.Question);
            var results = generator.Generate(prompt, new GenerationOptions
            {
                MaxNewTokens = Options.MaxNewTokens,
                Temperature = (float)Options.Temperature,
                Seed = StableSeed.Derive(Options.Seed, Name, step.ToString(CultureInfo.InvariantCulture), j.ToString(CultureInfo.InvariantCulture)),
                NumSamples = Options.SamplesPerQuery,
            }, ct: ct);
            ct.ThrowIfCancellationRequested();
            meter.PromptTokens += prompt.Length;
            foreach (var r in results)
            {
                meter.GeneratedTokens += r.TokenIds.Length;
                meter.SamplesDrawn++;
                if (r.TokenIds.Length == 0) continue; // nothing the policy chose: nothing to reinforce
                var seq = new int[prompt.Length + r.TokenIds.Length];
                prompt.CopyTo(seq, 0);
                r.TokenIds.CopyTo(seq, prompt.Length);
                var mask = new float[seq.Length - 1]; // index i ↔ prediction of token i + 1
                mask.AsSpan(prompt.Length - 1).Fill(1f);
                var graded = grader.Grade(q, r.Text);
                sequences.Add(seq);
                masks.Add(mask);
                rewards.Add(reward.For(graded.Outcome, scenario.Alpha));
                alphaOf.Add(scenario.Alpha);
                answered.Add(graded.Outcome != ResponseOutcome.Rejected);
                correct.Add(graded.Correct);
            }
        }
        if (sequences.Count == 0) throw new InvalidOperationException($"RL step {step}: the policy produced no tokens at all.");

        // ---- scoring: π_ref and π_old on the rollouts, no gradient
        var refLogProbs = reference.LogProbs(sequences);
        var oldLogProbs = policy.LogProbs(sequences);
        meter.ScoredTokens += 2L * sequences.Sum(s => s.Length);
        var rollouts = sequences.Select((_, i) => new RlRollout(oldLogProbs[i], refLogProbs[i], masks[i], rewards[i])).ToArray();
        var adv = rpp.Advantages(rollouts);

        // ---- updates: clipped surrogate, micro-batched, one optimizer step per pass over the batch
        double loss = 0, clip = 0, gradNorm = 0, lr = 0;
        for (int u = 0; u < Options.UpdatesPerBatch; u++)
        {
            loss = 0;
            double clipped = 0;
            for (int start = 0; start < rollouts.Length; start += Options.MicroBatchSize)
            {
                ct.ThrowIfCancellationRequested();
                int n = Math.Min(Options.MicroBatchSize, rollouts.Length - start);
                var logProbs = policy.ForwardLogProbs(sequences.GetRange(start, n));
                var part = rpp.Loss(rollouts.AsSpan(start, n).ToArray(), adv.Values.AsSpan(start, n).ToArray(), logProbs, adv.Tokens);
                policy.Backward(part.Gradient);
                loss += part.Value;
                clipped += part.ClipFraction * rollouts.AsSpan(start, n).ToArray().Sum(r => r.ResponseTokens);
                meter.TrainedTokens += sequences.Skip(start).Take(n).Sum(s => s.Length);
            }
            var opt = policy.OptimizerStep();
            meter.OptimizerSteps++;
            clip = clipped / adv.Tokens;
            gradNorm = opt.GradNorm;
            lr = opt.LearningRate;
        }

        var byAlpha = new Dictionary<string, double[]>();
        foreach (var a in Options.Alphas)
        {
            var idx = Enumerable.Range(0, alphaOf.Count).Where(i => alphaOf[i] == a).ToList();
            if (idx.Count == 0) continue;
            byAlpha[a.ToString("0.###", CultureInfo.InvariantCulture)] = [idx.Average(i => answered[i] ? 1.0 : 0.0), idx.Average(i => rewards[i])];
        }
        int answeredCount = answered.Count(x => x);
        return new RlStepLog
        {
            Step = step,
            MeanReward = adv.MeanReward,
            AnswerRate = (double)answeredCount / answered.Count,
            AccuracyAnswered = answeredCount == 0 ? 0 : (double)Enumerable.Range(0, answered.Count).Count(i => answered[i] && correct[i]) / answeredCount,
            Kl = adv.MeanKl,
            Loss = loss,
            ClipFraction = clip,
            MeanResponseTokens = rollouts.Average(r => r.ResponseTokens),
            GradNorm = gradNorm,
            LearningRate = lr,
            ByAlpha = byAlpha,
        };
    }

    private static RlOptions Validate(RlOptions o)
    {
        if (o.Alphas.Count == 0 || o.Alphas.Any(a => double.IsNaN(a) || a < 0 || a > 1) || o.Alphas.Distinct().Count() != o.Alphas.Count)
            throw new ArgumentException("The α grid must be non-empty, distinct, and inside [0, 1].", nameof(o));
        if (o.SamplesPerQuery < 2) throw new ArgumentOutOfRangeException(nameof(o), o.SamplesPerQuery, "RL needs at least two samples per prompt.");
        if (o.PromptsPerStep < 1 || o.MicroBatchSize < 1 || o.UpdatesPerBatch < 1 || o.SaveEvery < 1 || o.MaxNewTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(o), "Batch sizes, updates, SaveEvery and MaxNewTokens must be positive.");
        if (o.Steps is < 1 || (o.Steps is null && o.Epochs < 1)) throw new ArgumentOutOfRangeException(nameof(o), "At least one step.");
        if (!(o.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(o), o.LearningRate, "The learning rate must be positive.");
        if (!(o.Temperature > 0) || o.Temperature > 5)
            throw new ArgumentOutOfRangeException(nameof(o), o.Temperature, "The rollout temperature must lie in (0, 5]: the k samples of a prompt must be able to differ.");
        _ = new SelfAwarenessReward(o.Gamma); // validates γ
        return o;
    }
}
