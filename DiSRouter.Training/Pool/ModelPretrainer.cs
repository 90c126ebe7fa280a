using System.Diagnostics;
using System.Globalization;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;

namespace DiSRouter.Training.Pool;

/// <summary>
/// Trains one pool member from scratch, resumably. Work lives in <c>workDirectory/state</c> (float32
/// weights, optimizer moments, <see cref="TrainingProgress"/>), replaced atomically by a directory swap
/// every <see cref="PretrainRunOptions.CheckpointEvery"/>; a restart continues from the last one. The
/// data order is a function of (seed, step), so the resumed run sees the batches the crashed one would
/// have. When done, the model is written (BF16 by default) to the output directory with the spec hash
/// in its metadata; a later run with the same spec finds it there and skips the member.
/// </summary>
internal sealed class ModelPretrainer(PoolMemberSpec spec, PretrainCorpus corpus, ITokenizer tokenizer)
{
    public const int LossWindow = 25;
    private const string SpecHashKey = "disrouter.spec_hash";

    public string SpecHash { get; } = PoolHashes.Spec(spec, corpus.DataHash);

    /// <summary>Whether <paramref name="outputDirectory"/> already holds this member trained from this spec.</summary>
    public bool IsFinished(string outputDirectory, out TrainingInfo? info)
    {
        info = null;
        if (!File.Exists(Path.Combine(outputDirectory, "config.json"))) return false;
        try
        {
            var meta = Checkpoint.Load(outputDirectory).Metadata;
            if (meta.GetValueOrDefault(SpecHashKey) != SpecHash) return false;
            info = TrainingInfoFromMetadata(meta);
            return true;
        }
        catch (Exception e) when (e is CheckpointException or InvalidDataException or FormatException)
        {
            return false; // a damaged or foreign output is retrained, not trusted
        }
    }

    public PretrainResult Run(string workDirectory, string outputDirectory, PretrainRunOptions options, CancellationToken ct = default)
    {
        if (IsFinished(outputDirectory, out var done)) return new(PretrainStatus.Skipped, done!, spec.Steps);

        var stateDir = Path.Combine(workDirectory, "state");
        RecoverInterruptedSwap(stateDir);
        var (model, trainer, progress) = Restore(stateDir);
        options.OnResume?.Invoke(progress.Step);
        string simdPath = progress.ContinuedOn(SimdPath.Describe());

        var schedule = new BatchSchedule(corpus.Lengths, spec.BatchSize, spec.Seed, spec.CurriculumSteps, spec.CurriculumMaxTokens);
        var sinceSave = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        double startSeconds = progress.TrainSeconds, windowLoss = progress.WindowLoss;
        int windowSteps = progress.WindowSteps, step = progress.Step;
        long tokens = progress.TokensSeen;
        var curve = progress.LossCurve;

        TrainingProgress Snapshot() => new()
        {
            SpecHash = SpecHash, Step = step, TokensSeen = tokens,
            TrainSeconds = startSeconds + clock.Elapsed.TotalSeconds, LossCurve = curve,
            WindowLoss = windowLoss, WindowSteps = windowSteps, SimdPath = simdPath,
        };

        while (step < spec.Steps)
        {
            if (ct.IsCancellationRequested)
            {
                SaveState(stateDir, model, trainer, Snapshot());
                return new(PretrainStatus.Cancelled, null, step);
            }
            var batch = schedule.Batch(step).Select(i => corpus.Examples[i]).ToArray();
            var result = trainer.Step(batch);
            step++;
            tokens += batch.Sum(e => (long)e.Tokens.Length);
            windowLoss += result.Loss; windowSteps++;
            if (windowSteps == LossWindow) { curve.Add(windowLoss / windowSteps); windowLoss = 0; windowSteps = 0; }
            options.OnStep?.Invoke(step, result.Loss);

            if (options.HaltAfterStep is { } halt && step == halt)
                return new(PretrainStatus.Halted, null, step); // a simulated crash: nothing is saved
            bool due = options.CheckpointEverySteps is { } every ? step % every == 0 : sinceSave.Elapsed >= options.CheckpointEvery;
            if (due && step < spec.Steps) { SaveState(stateDir, model, trainer, Snapshot()); sinceSave.Restart(); }
        }

        var final = Snapshot();
        var info = new TrainingInfo
        {
            Steps = spec.Steps, BatchSize = spec.BatchSize, LearningRate = spec.LearningRate, TokensSeen = tokens,
            FinalLoss = curve.Count > 0 ? curve[^1] : windowSteps > 0 ? windowLoss / windowSteps : double.NaN, TrainSeconds = Math.Round(final.TrainSeconds, 1),
            SimdPath = simdPath,
        };
        SaveState(stateDir, model, trainer, final); // so that a crash while exporting loses nothing
        Directory.CreateDirectory(outputDirectory);
        Checkpoint.Save(outputDirectory, model, tokenizer, options.OutputDType, Metadata(info));
        return new(PretrainStatus.Trained, info, step);
    }

    // ---- state directory: written whole into state.tmp, then swapped in by renames

    private (TransformerModel, Trainer, TrainingProgress) Restore(string stateDir)
    {
        var progress = TrainingProgress.TryLoad(stateDir);
        if (progress is not null && progress.SpecHash == SpecHash)
        {
            var model = Checkpoint.Load(stateDir).Model;
            var trainer = new Trainer(model, TrainerOptionsFor(spec));
            trainer.LoadState(Path.Combine(stateDir, "trainer.state"));
            return (model, trainer, progress);
        }
        // No state, or state of another spec (the spec was changed): start from scratch.
        var fresh = TransformerModel.Create(spec.Config, spec.Seed);
        return (fresh, new Trainer(fresh, TrainerOptionsFor(spec)),
            new TrainingProgress { SpecHash = SpecHash, Step = 0, TokensSeen = 0, TrainSeconds = 0, LossCurve = [] });
    }

    private void SaveState(string stateDir, TransformerModel model, Trainer trainer, TrainingProgress progress)
    {
        var tmp = stateDir + ".tmp";
        var old = stateDir + ".old";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        Checkpoint.Save(tmp, model, tokenizer, CheckpointDType.F32);
        trainer.SaveState(Path.Combine(tmp, "trainer.state"));
        progress.Save(tmp); // last: its presence marks the directory complete
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(stateDir)) Directory.Move(stateDir, old);
        Directory.Move(tmp, stateDir);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>A crash between the two renames leaves state.old (complete) and no state: take it back.</summary>
    private static void RecoverInterruptedSwap(string stateDir)
    {
        var old = stateDir + ".old";
        if (!Directory.Exists(stateDir) && Directory.Exists(old) && File.Exists(Path.Combine(old, TrainingProgress.FileName)))
            Directory.Move(old, stateDir);
    }

    public static TrainerOptions TrainerOptionsFor(PoolMemberSpec s) => new()
    {
        LearningRate = s.LearningRate,
        MinLearningRate = s.LearningRate * s.MinLearningRateRatio,
        WarmupSteps = s.WarmupSteps,
        TotalSteps = s.Steps,
        WeightDecay = s.WeightDecay,
        MicroBatchSize = s.MicroBatchSize,
        Seed = s.Seed,
    };

    // ---- metadata carried by the exported checkpoint

    private Dictionary<string, string> Metadata(TrainingInfo info) => new()
    {
        [SpecHashKey] = SpecHash,
        ["disrouter.name"] = spec.Name,
        ["disrouter.seed"] = spec.Seed.ToString(CultureInfo.InvariantCulture),
        ["disrouter.data_hash"] = corpus.DataHash,
        ["disrouter.steps"] = info.Steps.ToString(CultureInfo.InvariantCulture),
        ["disrouter.batch_size"] = info.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["disrouter.learning_rate"] = info.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["disrouter.tokens_seen"] = info.TokensSeen.ToString(CultureInfo.InvariantCulture),
        ["disrouter.final_loss"] = info.FinalLoss.ToString("R", CultureInfo.InvariantCulture),
        ["disrouter.train_seconds"] = info.TrainSeconds.ToString("R", CultureInfo.InvariantCulture),
        ["disrouter.simd_path"] = info.SimdPath ?? "",
    };

    private static TrainingInfo TrainingInfoFromMetadata(IReadOnlyDictionary<string, string> m)
    {
        static T Get<T>(IReadOnlyDictionary<string, string> m, string key) where T : IParsable<T> =>
            T.Parse(m.GetValueOrDefault("disrouter." + key) ?? throw new InvalidDataException($"checkpoint metadata 'disrouter.{key}' is missing"), CultureInfo.InvariantCulture);
        return new()
        {
            Steps = Get<int>(m, "steps"), BatchSize = Get<int>(m, "batch_size"), LearningRate = Get<float>(m, "learning_rate"),
            TokensSeen = Get<long>(m, "tokens_seen"), FinalLoss = Get<double>(m, "final_loss"), TrainSeconds = Get<double>(m, "train_seconds"),
            SimdPath = m.GetValueOrDefault("disrouter.simd_path") is { Length: > 0 } path ? path : null, // absent before it was recorded
        };
    }
}

internal enum PretrainStatus { Trained, Skipped, Cancelled, Halted }

internal sealed record PretrainResult(PretrainStatus Status, TrainingInfo? Info, int Step);

internal sealed record PretrainRunOptions
{
    /// <summary>Wall-clock interval between state saves; a crash loses at most this much work.</summary>
    public TimeSpan CheckpointEvery { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Save every N steps instead of by the clock (tests, reproducible crash points).</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>Stop right after this step without saving: a crash, for tests.</summary>
    public int? HaltAfterStep { get; init; }

    public CheckpointDType OutputDType { get; init; } = CheckpointDType.BF16;

    public Action<int, double>? OnStep { get; init; }

    public Action<int>? OnResume { get; init; }
}
