using System.CommandLine;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>sft --model &lt;base checkpoint&gt; --out &lt;run dir&gt;</c>: builds the balanced self-awareness data from the run's
/// samples.jsonl and fine-tunes the base model on it (loss on the target only); publishes &lt;run&gt;/sft/.
/// </summary>
internal static class SftCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The agent's base checkpoint (the one that drew the samples).", Required = true };
        var outDir = new Option<string>("--out") { Description = "The agent's run directory (holds samples.jsonl; sft/ is written here).", Required = true };
        var alphas = new Option<string>("--alphas") { Description = "Scenarios: \"0.2,0.5,0.8\", names, or a grid \"0:1:0.1\".", DefaultValueFactory = _ => "0.2,0.5,0.8" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-4 };
        var minLr = new Option<double?>("--min-lr") { Description = "Floor of the cosine schedule (default lr/10)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the data.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (overrides --epochs)." };
        var batch = new Option<int>("--batch") { Description = "Examples per optimizer step.", DefaultValueFactory = _ => 16 };
        var micro = new Option<int>("--micro-batch") { Description = "Examples per forward/backward pass.", DefaultValueFactory = _ => 8 };
        var warmup = new Option<int>("--warmup") { Description = "Warmup steps.", DefaultValueFactory = _ => 10 };
        var maxExamples = new Option<int?>("--max-examples") { Description = "Cap on the (balanced) examples." };
        var balance = new Option<string>("--balance") { Description = "Answers against rejections: equal in every scenario (per-scenario, the paper's rule) or over the whole set, each scenario keeping its own proportion (overall).", DefaultValueFactory = _ => "per-scenario" };
        balance.AcceptOnlyFromAmong("per-scenario", "overall");
        var maxRepeats = new Option<int>("--max-repeats") { Description = "Times an example of the smaller class may repeat before the larger class is downsampled (1 = the paper's rule).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data choices and the batch order." };
        var saveEvery = new Option<int>("--save-every") { Description = "Steps between resume points.", DefaultValueFactory = _ => 50 };
        var chainWeight = new Option<double?>("--chain-loss-weight") { Description = "Loss weight of an answer's chain after \"Let's think step by step: \" (0–1; default 1, every target token alike): below 1 the SFT teaches when to answer more than how." };
        var engine = new Option<string>("--engine") { Description = "Training engine: disrouter (ours, the default) or torch (TorchSharp).", DefaultValueFactory = _ => "disrouter" };
        var device = new Option<string>("--device") { Description = "Device of the torch engine: cuda, cpu or auto (CUDA when available).", DefaultValueFactory = _ => "auto" };
        var bf16 = new Option<bool>("--bf16") { Description = "Publish the checkpoint in BF16 (half the size; resume points stay F32)." };
        var promptStyle = new Option<string>("--prompt-style") { Description = "Scenario instruction of the data, recorded with the checkpoint for every later stage and for serving: compact (\"Cost weight 0.50.\", the default) or full (the paper's scenario texts).", DefaultValueFactory = _ => "compact" };
        promptStyle.AcceptOnlyFromAmong("compact", "full");
        var context = new Option<int?>("--context") { Description = "Context (positions) of the fine-tuned checkpoint, when larger than the base's: room for the full scenario texts (default: the base's)." };
        var command = new Command("sft", "Self-awareness stage 2: answer-or-reject SFT on the agent's own samples.")
        {
            model, outDir, alphas, lr, minLr, epochs, steps, batch, micro, warmup, maxExamples, maxRepeats, balance, seed, saveEvery, bf16, chainWeight, engine, device, promptStyle, context,
        };
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            SftOptions options;
            try
            {
                options = new SftOptions
                {
                    Alphas = SelfAwareCli.ParseAlphas(parse.GetValue(alphas)!),
                    LearningRate = parse.GetValue(lr),
                    MinLearningRate = parse.GetValue(minLr) ?? parse.GetValue(lr) / 10,
                    Epochs = parse.GetValue(epochs),
                    Steps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batch),
                    MicroBatchSize = parse.GetValue(micro),
                    WarmupSteps = parse.GetValue(warmup),
                    MaxExamples = parse.GetValue(maxExamples),
                    MaxRepeats = parse.GetValue(maxRepeats),
                    Balance = parse.GetValue(balance) == "overall" ? SftBalance.Overall : SftBalance.PerScenario,
                    Seed = parse.GetValue(seed),
                    SaveEvery = parse.GetValue(saveEvery),
                    OutputDType = parse.GetValue(bf16) ? CheckpointDType.BF16 : CheckpointDType.F32,
                    ChainLossWeight = parse.GetValue(chainWeight),
                    TorchDevice = SelfAwareCli.TorchDevice(parse.GetValue(engine)!, parse.GetValue(device)!),
                    // Compact is left out of the options (null), so runs made before the choice existed keep their inputs hash.
                    PromptStyle = parse.GetValue(promptStyle) == "full" ? ScenarioPromptStyle.Full : null,
                    Context = parse.GetValue(context),
                };
            }
            catch (FormatException e) { error.WriteLine(e.Message); return Task.FromResult(SelfAwareCli.BadInput); }
            return Task.FromResult(Run(parse.GetValue(model)!, parse.GetValue(outDir)!, options, output, error, ct));
        });
        return command;
    }

    public static int Run(string model, string outDir, SftOptions options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        SftStage stage;
        try { stage = new SftStage(options); }
        catch (ArgumentException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }
        SftResult? result = null;
        try
        {
            var rc = SelfAwareCli.RunStage("sft", output, error, progress => { result = stage.Run(model, outDir, progress, ct); return SelfAwareCli.Ok; });
            if (rc != SelfAwareCli.Ok) return rc;
        }
        catch (Exception e) when (e is InvalidOperationException or CheckpointException or InvalidDataException)
        {
            error.WriteLine(e.Message);
            return SelfAwareCli.Failed;
        }
        foreach (var c in result!.Data.Counts)
            output.WriteLine($"α={c.Alpha:0.###} (δ={c.Threshold:0.###}): {c.LabelledAnswer} answerable, {c.LabelledReject} to reject → kept {c.KeptAnswer} + {c.KeptReject}" +
                (c.SkippedNoCorrectSample + c.SkippedUnparseable > 0 ? $" ({c.SkippedNoCorrectSample + c.SkippedUnparseable} skipped)" : ""));
        if (result.Reused) output.WriteLine($"sft: already complete with these samples, base checkpoint and options: {result.CheckpointDirectory} kept (delete it to train again)");
        output.WriteLine($"sft: {result.Data.Examples.Count} examples, {result.Steps} steps, loss {result.FirstLoss:0.000} → {result.LastLoss:0.000}; " +
            $"{result.Report.TrainedTokens} tokens, {result.Report.WallSeconds:0.0} s → {result.CheckpointDirectory}");
        return SelfAwareCli.Ok;
    }
}
