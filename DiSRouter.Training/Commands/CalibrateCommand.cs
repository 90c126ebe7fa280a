using System.CommandLine;
using System.Globalization;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Pool;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>calibrate --out &lt;run dir&gt;</c>: measures, on held-out queries, the decision threshold per α that maximises each
/// trained checkpoint's own reward, and writes &lt;run&gt;/&lt;sft|rl&gt;/decision.json, which serving reads.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "The agent's run directory (its sft/ and rl/ checkpoints are calibrated).", Required = true };
        var checkpoints = new Option<string>("--checkpoints") { Description = "Which of the run's checkpoints: \"sft,rl\", \"rl\" or \"sft\".", DefaultValueFactory = _ => "sft,rl" };
        var split = new Option<string>("--split") { Description = "The split the calibration queries come from (never the test split's items).", DefaultValueFactory = _ => "validation" };
        var items = new Option<int>("--items-per-family") { Description = "Calibration queries per in-domain family.", DefaultValueFactory = _ => 200 };
        var families = new Option<string?>("--families") { Description = "Comma-separated in-domain families (default: all)." };
        var alphas = new Option<string?>("--alphas") { Description = "The α grid the thresholds are measured at (default 0.05, 0.1, 0.2, …, 0.9, 0.95); serving interpolates between them." };
        var gamma = new Option<double>("--gamma") { Description = "γ of the reward maximised (1 − α)^γ for a rejection: the RL stage's.", DefaultValueFactory = _ => SelfAwarenessReward.DefaultGamma };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Longest answer (default: the agent's budget in the pool manifest, else 256)." };
        var pool = new Option<string?>("--pool") { Description = "The pool folder whose manifest gives the agent's answer budget (default models/nano-pool)." };
        var parallel = new Option<int>("--parallel") { Description = "Queries in flight at once (the torch engine answers one at a time).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var engine = new Option<string>("--engine") { Description = "Engine the checkpoint is asked on: disrouter (ours, the default) or torch (TorchSharp).", DefaultValueFactory = _ => "disrouter" };
        var device = new Option<string>("--device") { Description = "Device of the torch engine: cuda, cpu or auto (CUDA when available).", DefaultValueFactory = _ => "auto" };
        var command = new Command("calibrate", "Self-awareness stage 4: decision thresholds per α that maximise the checkpoint's own reward on held-out queries.")
        {
            outDir, checkpoints, split, items, families, alphas, gamma, maxNew, pool, parallel, engine, device,
        };
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var run = parse.GetValue(outDir)!;
            CalibrationOptions options;
            try
            {
                options = new CalibrationOptions
                {
                    Gamma = parse.GetValue(gamma),
                    Parallelism = Math.Max(1, parse.GetValue(parallel)),
                    MaxNewTokens = parse.GetValue(maxNew) ?? BudgetOf(run, parse.GetValue(pool)),
                    TorchDevice = SelfAwareCli.TorchDevice(parse.GetValue(engine)!, parse.GetValue(device)!),
                };
                if (parse.GetValue(alphas) is { } grid) options = options with { Alphas = SelfAwareCli.ParseAlphas(grid) };
                _ = new SelfAwarenessReward(options.Gamma); // refuses a γ outside [0, 1] with its reason, before any model loads
            }
            catch (FormatException e) { error.WriteLine(e.Message); return Task.FromResult(SelfAwareCli.BadInput); }
            catch (ArgumentOutOfRangeException e) { error.WriteLine(e.Message.Split(Environment.NewLine)[0]); return Task.FromResult(SelfAwareCli.BadInput); }
            return Task.FromResult(Run(run, SelfAwareCli.ParseList(parse.GetValue(checkpoints)) ?? [], parse.GetValue(split)!, parse.GetValue(items),
                parse.GetValue(families), options, output, error, ct));
        });
        return command;
    }

    public static int Run(string runDirectory, IReadOnlyList<string> checkpointFolders, string split, int itemsPerFamily, string? families,
        CalibrationOptions options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (itemsPerFamily < 1) { error.WriteLine("--items-per-family must be at least 1."); return SelfAwareCli.BadInput; }
        if (!TaskSplits.TryParse(split, out var taskSplit)) { error.WriteLine($"Unknown split '{split}'."); return SelfAwareCli.BadInput; }
        if (taskSplit == TaskSplit.Test) { error.WriteLine("Calibrating on the test split would grade the report on the queries the thresholds were fitted to: use validation."); return SelfAwareCli.BadInput; }
        var unknown = checkpointFolders.Except([SftStage.CheckpointFolder, RlStage.CheckpointFolder]).ToList();
        if (checkpointFolders.Count == 0 || unknown.Count > 0)
        {
            error.WriteLine($"--checkpoints takes sft and/or rl{(unknown.Count > 0 ? $", not {string.Join(", ", unknown)}" : "")}.");
            return SelfAwareCli.BadInput;
        }
        var present = checkpointFolders.Where(f => File.Exists(Path.Combine(runDirectory, f, ConfigFile.FileName))).ToList();
        if (present.Count == 0)
        {
            error.WriteLine($"No {string.Join(" or ", checkpointFolders)} checkpoint under {runDirectory}: run sft and rl first.");
            return SelfAwareCli.BadInput;
        }

        IReadOnlyList<TaskItem> items;
        try { items = SelfAwareCli.SplitItems(taskSplit, itemsPerFamily, families); }
        catch (ArgumentException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }
        var queries = items.Select(TaskQueries.ToQuery).ToList();
        var stage = new CalibrationStage(new TaskReplyGrader(items), options);

        foreach (var folder in present)
        {
            CalibrationResult? result = null;
            try
            {
                var rc = SelfAwareCli.RunStage($"calibrate {folder}", output, error, progress =>
                {
                    result = stage.Run(Path.Combine(runDirectory, folder), queries, runDirectory, progress, ct);
                    return SelfAwareCli.Ok;
                });
                if (rc != SelfAwareCli.Ok) return rc;
            }
            catch (Exception e) when (e is InvalidOperationException or CheckpointException or InvalidDataException)
            {
                error.WriteLine(e.Message);
                return SelfAwareCli.Failed;
            }
            var t = result!.Thresholds;
            if (result.Reused) output.WriteLine($"calibrate {folder}: every reply was already in {CalibrationStage.LogPath(runDirectory, folder)}; thresholds computed from them, no model call");
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"calibrate {folder}: {queries.Count} {split} queries × {t.Points.Count} α, γ = {options.Gamma.ToString(inv)}; " +
                $"{result.Report.TokensProcessed} tokens, {result.Report.WallSeconds:0.0} s → {Path.Combine(runDirectory, folder, DecisionThresholds.FileName)}");
            foreach (var p in t.Points)
                output.WriteLine($"  α {p.Alpha.ToString("0.00", inv)}: threshold {p.LogitGap.ToString("+0.00;-0.00", inv)}, answers {100 * p.AnswerRate:0.0} % " +
                    $"(greedy {100 * p.GreedyAnswerRate:0.0} %), mean reward {p.MeanReward:0.000} (greedy {p.GreedyMeanReward:0.000})");
        }
        return SelfAwareCli.Ok;
    }

    /// <summary>The answer budget of the pool member the run folder is named after; 256 when the manifest does not list it.</summary>
    private static int BudgetOf(string runDirectory, string? poolDir)
    {
        var manifest = Path.Combine(poolDir ?? Path.Combine(PoolPaths.RepositoryRoot(), "models", "nano-pool"), PoolManifest.FileName);
        if (!File.Exists(manifest)) return 256;
        var agent = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)));
        return PoolManifest.Load(manifest).Models.FirstOrDefault(m => m.Name == agent)?.MaxNewTokens ?? 256;
    }
}
