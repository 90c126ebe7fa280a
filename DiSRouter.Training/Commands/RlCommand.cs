using System.CommandLine;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>rl --out &lt;run dir&gt; [--model &lt;sft checkpoint&gt;]</c>: REINFORCE++ with the scenario-conditioned reward from the
/// agent's SFT checkpoint (also the frozen reference), three scenarios mixed equally; publishes &lt;run&gt;/rl/.
/// </summary>
internal static class RlCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "The agent's run directory (rl/ is written here).", Required = true };
        var model = new Option<string?>("--model") { Description = "The SFT checkpoint to start from and stay near (default: <out>/sft)." };
        var queries = new Option<int>("--queries") { Description = "Training queries, spread evenly over the in-domain families.", DefaultValueFactory = _ => 600 };
        var drawSeed = new Option<int>("--draw-seed") { Description = "Which draw of the train split.", DefaultValueFactory = _ => 2000 };
        var families = new Option<string?>("--families") { Description = "Comma-separated in-domain families (default: all)." };
        var alphas = new Option<string>("--alphas") { Description = "Scenarios mixed equally: \"0.2,0.5,0.8\", names, or a grid \"0:1:0.1\".", DefaultValueFactory = _ => "0.2,0.5,0.8" };
        var k = new Option<int>("--k") { Description = "Samples per prompt at temperature 1.", DefaultValueFactory = _ => 8 };
        var prompts = new Option<int>("--prompts-per-step") { Description = "(query, α) prompts per step.", DefaultValueFactory = _ => 6 };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (default: one pass over every query × α)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over every query × α when --steps is not given.", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 2e-5 };
        var kl = new Option<double>("--kl") { Description = "β of the per-token KL penalty to the SFT policy.", DefaultValueFactory = _ => 0.01 };
        var clip = new Option<double>("--clip") { Description = "ε of the clipped ratio.", DefaultValueFactory = _ => 0.2 };
        var gamma = new Option<double>("--gamma") { Description = "γ of the rejection reward (1 − α)^γ.", DefaultValueFactory = _ => 0.5 };
        var updates = new Option<int>("--updates-per-batch") { Description = "Optimizer steps per batch of rollouts.", DefaultValueFactory = _ => 1 };
        var micro = new Option<int>("--micro-batch") { Description = "Rollouts per forward/backward pass.", DefaultValueFactory = _ => 8 };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Longest rollout (default: the member's budget from the pool manifest, else 256)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the prompt order and the rollouts." };
        var saveEvery = new Option<int>("--save-every") { Description = "Steps between resume points.", DefaultValueFactory = _ => 10 };
        var temperature = new Option<double>("--temperature") { Description = "Rollout temperature (the paper's 1.0).", DefaultValueFactory = _ => 1.0 };
        var bf16 = new Option<bool>("--bf16") { Description = "Publish the checkpoint in BF16." };
        var engine = new Option<string>("--engine") { Description = "Training engine: disrouter (ours, the default) or torch (TorchSharp: rollouts, scoring and updates on its device).", DefaultValueFactory = _ => "disrouter" };
        var device = new Option<string>("--device") { Description = "Device of the torch engine: cuda, cpu or auto (CUDA when available).", DefaultValueFactory = _ => "auto" };
        var command = new Command("rl", "Self-awareness stage 3: REINFORCE++ with the scenario-conditioned reward.")
        {
            outDir, model, queries, drawSeed, families, alphas, k, prompts, steps, epochs, lr, kl, clip, gamma, updates, micro, maxNew, seed, saveEvery, temperature, bf16, engine, device,
        };
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var run = parse.GetValue(outDir)!;
            var sft = parse.GetValue(model) ?? Path.Combine(run, SftStage.CheckpointFolder);
            RlOptions options;
            try
            {
                options = new RlOptions
                {
                    Alphas = SelfAwareCli.ParseAlphas(parse.GetValue(alphas)!),
                    SamplesPerQuery = parse.GetValue(k),
                    Temperature = parse.GetValue(temperature),
                    PromptsPerStep = parse.GetValue(prompts),
                    Steps = parse.GetValue(steps),
                    Epochs = parse.GetValue(epochs),
                    LearningRate = parse.GetValue(lr),
                    MinLearningRate = parse.GetValue(lr) / 10,
                    KlCoef = parse.GetValue(kl),
                    ClipEpsilon = parse.GetValue(clip),
                    Gamma = parse.GetValue(gamma),
                    UpdatesPerBatch = parse.GetValue(updates),
                    MicroBatchSize = parse.GetValue(micro),
                    MaxNewTokens = parse.GetValue(maxNew) ?? SelfAwareCli.MaxNewTokensFor(sft, 256),
                    Seed = parse.GetValue(seed),
                    SaveEvery = parse.GetValue(saveEvery),
                    OutputDType = parse.GetValue(bf16) ? CheckpointDType.BF16 : CheckpointDType.F32,
                    TorchDevice = SelfAwareCli.TorchDevice(parse.GetValue(engine)!, parse.GetValue(device)!),
                };
            }
            catch (FormatException e) { error.WriteLine(e.Message); return Task.FromResult(SelfAwareCli.BadInput); }
            return Task.FromResult(Run(sft, run, parse.GetValue(queries), parse.GetValue(drawSeed), parse.GetValue(families), options, output, error, ct));
        });
        return command;
    }

    public static int Run(string sft, string outDir, int queryCount, int drawSeed, string? families, RlOptions options,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (queryCount < 1) { error.WriteLine("--queries must be at least 1."); return SelfAwareCli.BadInput; }
        if (!Directory.Exists(sft)) { error.WriteLine($"No SFT checkpoint at {sft}: run `sft` first or pass --model."); return SelfAwareCli.BadInput; }
        RlStage stage;
        IReadOnlyList<TaskItem> items;
        try
        {
            items = TaskQueries.Draw(SelfAwareCli.NanoSuite(), TaskSplit.Train, queryCount, drawSeed, SelfAwareCli.ParseList(families));
            stage = new RlStage(new TaskReplyGrader(items), options);
        }
        catch (ArgumentException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }
        RlResult? result = null;
        try
        {
            var rc = SelfAwareCli.RunStage("rl", output, error, progress =>
            {
                result = stage.Run(sft, items.Select(TaskQueries.ToQuery).ToList(), outDir, progress, ct);
                return SelfAwareCli.Ok;
            });
            if (rc != SelfAwareCli.Ok) return rc;
        }
        catch (Exception e) when (e is InvalidOperationException or CheckpointException or InvalidDataException)
        {
            error.WriteLine(e.Message);
            return SelfAwareCli.Failed;
        }
        var first = result!.Log.Count > 0 ? result.Log[0].MeanReward : double.NaN;
        var last = result.Log.Count > 0 ? result.Log[^1].MeanReward : double.NaN;
        if (result.Reused) output.WriteLine($"rl: already complete with this SFT checkpoint, query set and options: {result.CheckpointDirectory} kept (delete it to train again)");
        output.WriteLine($"rl: {result.Steps} steps, mean reward {first:0.000} → {last:0.000}; {result.Report.SamplesDrawn} samples, " +
            $"{result.Report.TokensProcessed} tokens, {result.Report.WallSeconds:0.0} s → {result.CheckpointDirectory}");
        return SelfAwareCli.Ok;
    }
}
