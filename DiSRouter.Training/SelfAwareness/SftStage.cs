using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.SelfAwareness;

internal sealed record SftOptions
{
    /// <summary>Scenarios to build data for; the named three by default, any grid in [0, 1] allowed.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = Scenario.Named.Select(s => s.Alpha).ToArray();

    public int Seed { get; init; }

    /// <summary>Cap on the examples used (kept balanced); null uses all the balanced data.</summary>
    public int? MaxExamples { get; init; }

    /// <summary>How often an example of the smaller class may repeat before the larger class is downsampled to it (1: never).</summary>
    public int MaxRepeats { get; init; } = 1;

    /// <summary>Answers against rejections: equal in every scenario (the paper's rule) or over the whole set.</summary>
    public SftBalance Balance { get; init; } = SftBalance.PerScenario;

    /// <summary>Peak learning rate. Fine-tuning keeps it well below pretraining's so the model's task skill stays as it was.</summary>
    public double LearningRate { get; init; } = 1e-4;

    public double MinLearningRate { get; init; } = 1e-5;
    public int WarmupSteps { get; init; } = 10;
    public double WeightDecay { get; init; }
    public double GradClip { get; init; } = 1.0;

    /// <summary>Passes over the data when <see cref="Steps"/> is not given.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Optimizer steps; overrides <see cref="Epochs"/>.</summary>
    public int? Steps { get; init; }

    public int BatchSize { get; init; } = 16;
    public int MicroBatchSize { get; init; } = 8;

    /// <summary>Steps between resume points.</summary>
    public int SaveEvery { get; init; } = 50;

    /// <summary>Precision of the published checkpoint (resume points are always F32).</summary>
    public CheckpointDType OutputDType { get; init; } = CheckpointDType.F32;

    /// <summary>
    /// Loss weight of an answer target's chain, everything after its opening "Let's think step by step: " (the decision
    /// itself and rejections always weigh 1); null weighs every target token 1, the paper's rule. WHY below 1: the
    /// chains are the model's own correct samples, and fitting them at full weight goes on teaching the task, so a
    /// small model leaves SFT solving more than it did (nano-2: 9.7 % more greedy answers right), which is capability,
    /// not self-knowledge, and makes its base model's p(x) labels stale. Left out of the options' JSON when null, so
    /// runs made before it existed keep their inputs hash.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? ChainLossWeight { get; init; }

    /// <summary>
    /// The TorchSharp engine's device ("cpu", "cuda", "auto") to train on it; null trains on ours. Part of the inputs
    /// when set (the two engines round differently); left out of the JSON when null, so earlier runs keep their hash.
    /// A resume point made on either engine resumes on either (one format), so it is not checked against this.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? TorchDevice { get; init; }

    /// <summary>
    /// How the scenario instruction is worded in the data (null: compact, "Cost weight 0.50."; full: the paper's texts),
    /// recorded beside the checkpoint (<see cref="ScenarioPromptFile"/>) for every later stage and for serving. Left out
    /// of the options' JSON when null, so runs made before it existed keep their inputs hash.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ScenarioPromptStyle? PromptStyle { get; init; }

    /// <summary>
    /// The fine-tuned checkpoint's context (max_position_embeddings), when larger than the base model's: the paper's full
    /// instructions take 193–254 positions of the nano models' 320. The weights carry no positions (rotary embeddings are
    /// computed from the position), so a wider context is the same weights with a longer rotary table; positions beyond
    /// the base's are learnt in SFT. Null keeps the base's. Left out of the JSON when null.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Context { get; init; }

    /// <summary>The wording the data is written in. Not part of the options' JSON (PromptStyle is, when set).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ScenarioPromptStyle Style => PromptStyle ?? SelfAwarePrompt.Style;
}

/// <summary>What a finished SFT run produced.</summary>
internal sealed record SftResult(string CheckpointDirectory, SftDataSet Data, int Steps, double FirstLoss, double LastLoss, StageReport Report)
{
    /// <summary>True when the stage had already completed with the same inputs and its checkpoint was returned as it was.</summary>
    public bool Reused { get; init; }
}

/// <summary>
/// Stage 2: builds the self-awareness SFT data from the run's <c>samples.jsonl</c> (<see cref="SftDataBuilder"/>)
/// and fine-tunes the agent's base model on it, loss on the target tokens only. Writes <c>sft-data.jsonl</c>,
/// the checkpoint <c>sft/</c> (appears only complete) and <c>sft-report.json</c>; resumes from <c>sft.state/</c>
/// (<see cref="StageRunner"/>). Trains on our engine or TorchSharp's (<see cref="PolicyEngine"/>).
/// </summary>
internal sealed class SftStage(SftOptions options)
{
    public const string Name = "sft";
    public const string DataFile = "sft-data.jsonl";
    public const string CheckpointFolder = "sft";
    private const string StateFolder = "sft.state";

    public SftOptions Options { get; } = Validate(options);

    /// <summary>
    /// An example's tokens and loss mask: 1 on the target tokens and the end of text, and <paramref name="chainWeight"/>
    /// (when given) on an answer target's tokens after its opening "Let's think step by step: ".
    /// </summary>
    internal static TrainingExample Encode(SftExample e, ITokenizer tokenizer, double? chainWeight)
    {
        var (tokens, mask) = ChatFormat.EncodeExample(tokenizer, e.System, e.User, e.Target);
        if (chainWeight is { } w && !e.Reject && e.Target.StartsWith(AnswerTemplate.StepsPrefix, StringComparison.Ordinal))
        {
            int target = mask.AsSpan().IndexOf(1f);                                // the mask's first trained token opens the target
            int decision = tokenizer.Encode(AnswerTemplate.StepsPrefix).Length;
            mask.AsSpan(target + decision).Fill((float)w);
        }
        return new TrainingExample(tokens, mask);
    }

    private sealed record Progress(int Step, int TotalSteps, string DataHash, List<double> Losses);

    public SftResult Run(string baseCheckpoint, string runDirectory, Action<StageProgress>? progress = null, CancellationToken ct = default)
    {
        var samplesPath = SamplingStage.SamplesPath(runDirectory);
        var samples = JsonlFile.Read<QuerySamples>(samplesPath);
        if (samples.Count == 0) throw new InvalidOperationException($"{samplesPath} has no samples: run the sample stage first.");
        var data = new SftDataBuilder(Options.Alphas, Options.Seed, Options.MaxExamples, Options.MaxRepeats, Options.Balance, Options.Style).Build(samples);
        if (data.Examples.Count == 0)
            throw new InvalidOperationException("The SFT data is empty: no scenario has both an answerable and a rejected query. " +
                string.Join("; ", data.Counts.Select(c => $"α={c.Alpha}: {c.LabelledAnswer} answer, {c.LabelledReject} reject")));
        var dataPath = Path.Combine(runDirectory, DataFile);
        var dataHash = Hash(data.Examples);

        var statePath = Path.Combine(runDirectory, StateFolder);
        var reportPath = StageReport.PathFor(runDirectory, Name);
        var outDir = Path.Combine(runDirectory, CheckpointFolder);
        var inputs = CompletedStage.InputsHash(Name, dataHash, CompletedStage.WeightsHash(baseCheckpoint),
            JsonSerializer.Serialize(Options with { Alphas = Options.Alphas.ToArray() }, JsonlFile.Json));
        if (!Directory.Exists(statePath) && CompletedStage.Find(outDir, reportPath, inputs) is { } done)
        {
            // The data is the same (its hash is among the inputs): the file on disk is rewritten only if it went missing.
            if (!File.Exists(dataPath)) JsonlFile.WriteAll(dataPath, data.Examples);
            int doneSteps = done.Details.TryGetValue("total_steps", out var ts) ? ts.GetInt32() : 0;
            progress?.Invoke(new StageProgress("sft", doneSteps, doneSteps, "already complete with these inputs"));
            return new SftResult(outDir, data, doneSteps, Detail(done, "loss_first"), Detail(done, "loss_last"), done) { Reused = true };
        }
        JsonlFile.WriteAll(dataPath, data.Examples);
        var saved = ResumeState.TryLoad<Progress>(statePath);
        if (saved is not null && saved.Progress.DataHash != dataHash)
            throw new InvalidOperationException($"{statePath} was made from other SFT data (samples or options changed); delete it to start over.");
        // Where the weights start: the resume point, else the base. Only the config and tokenizer are read here; the
        // engine reads the weights (torch: straight onto its device), widened to Options.Context where that is set.
        var start = saved?.CheckpointDirectory ?? baseCheckpoint;
        var (config, tokenizer) = PolicyEngine.Describe(start);
        if (Options.Context is { } context && context != config.MaxPositionEmbeddings)
        {
            if (context < config.MaxPositionEmbeddings)
                throw new InvalidOperationException($"--context {context} is shorter than the base model's {config.MaxPositionEmbeddings} positions.");
            config = config with { MaxPositionEmbeddings = context };
        }

        var examples = data.Examples.Select(e => Encode(e, tokenizer, Options.ChainLossWeight)).ToArray();
        var tooLong = examples.Count(e => e.Tokens.Length - 1 > config.MaxPositionEmbeddings);
        if (tooLong > 0)
            throw new InvalidOperationException($"{tooLong} of {examples.Length} SFT examples are longer than the model's context " +
                $"({config.MaxPositionEmbeddings} positions); shorten the queries or the samples' chains of thought.");
        int totalSteps = Options.Steps ?? Math.Max(1, (int)Math.Ceiling((double)Options.Epochs * examples.Length / Options.BatchSize));
        var trainerOptions = new TrainerOptions
        {
            LearningRate = Options.LearningRate,
            MinLearningRate = Options.MinLearningRate,
            WarmupSteps = Math.Min(Options.WarmupSteps, totalSteps / 2),
            TotalSteps = totalSteps,
            WeightDecay = Options.WeightDecay,
            GradClip = Options.GradClip,
            MicroBatchSize = Options.MicroBatchSize,
            Seed = Options.Seed,
        };
        using var policy = PolicyEngine.Open(start, trainerOptions, Options.TorchDevice, Options.Context);
        if (saved is not null) policy.LoadState(saved.TrainerStatePath);
        var state = saved?.Progress ?? new Progress(0, totalSteps, dataHash, []);
        var meter = new StageMeter(Name, saved?.Report);
        meter.Detail("base_checkpoint", Path.GetFullPath(baseCheckpoint));
        meter.Detail("options", Options with { Alphas = Options.Alphas.ToArray() });
        meter.Detail("data", data.Counts);
        meter.Detail("examples", data.Examples.Count);
        meter.Detail("total_steps", totalSteps);

        var order = new BatchOrder(examples.Length, Options.BatchSize, Options.Seed);
        var runner = new StageRunner("sft", meter, reportPath)
        {
            SaveEvery = Options.SaveEvery,
            Save = report => ResumeState.Save(statePath, policy, state, report),
            Progress = progress,
        };
        runner.Run(state.Step, totalSteps, step =>
        {
            var batch = order.Batch(step).Select(i => examples[i]).ToList();
            var result = policy.Step(batch);
            meter.TrainedTokens += batch.Sum(b => b.Tokens.Length);
            meter.OptimizerSteps++;
            state.Losses.Add(result.Loss);
            state = state with { Step = step + 1 };
            return $"loss {result.Loss:0.000}";
        }, ct);

        var metadata = CompletedStage.Metadata(Name, inputs, Options.Alphas, Options.Seed, totalSteps);
        metadata["data_hash"] = dataHash;
        double first = state.Losses.Count > 0 ? state.Losses[0] : double.NaN, last = state.Losses.Count > 0 ? state.Losses[^1] : double.NaN;
        meter.Detail("loss_first", first);
        meter.Detail("loss_last", last);
        meter.Detail("loss_curve", Downsample(state.Losses, 50));
        var report = runner.Complete(() => AtomicWrite.ReplaceDirectory(outDir, d =>
        {
            policy.Save(d, Options.OutputDType, metadata);
            if (Options.PromptStyle is { } style) ScenarioPromptFile.Write(d, style);
        }), statePath);
        return new SftResult(outDir, data, totalSteps, first, last, report);
    }

    private static double Detail(StageReport report, string key) =>
        report.Details.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    internal static string Hash(IEnumerable<SftExample> examples)
    {
        var sb = new StringBuilder();
        foreach (var e in examples) sb.Append(e.QueryId).Append('\u0001').Append(e.Alpha.ToString("R", CultureInfo.InvariantCulture))
            .Append('\u0001').Append(e.System).Append('\u0001').Append(e.User).Append('\u0001').Append(e.Target).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    internal static double[] Downsample(IReadOnlyList<double> values, int points)
    {
        if (values.Count <= points) return values.ToArray();
        return Enumerable.Range(0, points).Select(i => values[(int)((long)i * (values.Count - 1) / (points - 1))]).ToArray();
    }

    private static SftOptions Validate(SftOptions o)
    {
        if (o.ChainLossWeight is { } w && (double.IsNaN(w) || w is < 0 or > 1))
            throw new ArgumentException($"The chain's loss weight must lie in [0, 1]; got {w}.");
        if (o.BatchSize < 1 || o.MicroBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(o), "Batch sizes must be positive.");
        if (o.Epochs < 1 && o.Steps is null) throw new ArgumentOutOfRangeException(nameof(o), o.Epochs, "At least one epoch.");
        if (o.Steps is < 1) throw new ArgumentOutOfRangeException(nameof(o), o.Steps, "At least one step.");
        if (o.SaveEvery < 1) throw new ArgumentOutOfRangeException(nameof(o), o.SaveEvery, "SaveEvery must be positive.");
        if (o.Context is < 1) throw new ArgumentOutOfRangeException(nameof(o), o.Context, "--context must be positive.");
        if (o.MaxRepeats < 1) throw new ArgumentOutOfRangeException(nameof(o), o.MaxRepeats, "--max-repeats must be at least 1 (1 keeps every example once).");
        if (!(o.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(o), o.LearningRate, "The learning rate must be positive.");
        return o;
    }
}

/// <summary>
/// Which examples each step trains on: the data in a fresh seeded permutation per epoch, epochs laid end to end and
/// cut into batches. A function of (seed, step) only, so a resumed run sees the batches an uninterrupted run sees.
/// </summary>
internal sealed class BatchOrder(int count, int batchSize, int seed, string label = "sft-epoch")
{
    private readonly Dictionary<int, int[]> _epochs = [];

    public IEnumerable<int> Batch(int step)
    {
        for (long k = (long)step * batchSize; k < (long)(step + 1) * batchSize; k++)
        {
            int epoch = (int)(k / count), index = (int)(k % count);
            yield return Permutation(epoch)[index];
        }
    }

    private int[] Permutation(int epoch)
    {
        if (_epochs.TryGetValue(epoch, out var p)) return p;
        p = Enumerable.Range(0, count).ToArray();
        StableSeed.Shuffle(p, new Random(StableSeed.Derive(seed, label, epoch.ToString(CultureInfo.InvariantCulture))));
        if (_epochs.Count > 2) _epochs.Clear();
        return _epochs[epoch] = p;
    }
}
