using System.CommandLine;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Commands;

/// <summary>
/// <c>sample --model &lt;checkpoint&gt; --out &lt;run dir&gt; [--n 8] [--queries 600] [--seed 0]</c>: the agent's own base model
/// answers training queries N times at temperature 1 (or --temperature); writes samples.jsonl (p(x) per query) and sample-report.json.
/// Rerunning after an interruption continues where it stopped.
/// </summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The agent's base checkpoint directory.", Required = true };
        var outDir = new Option<string>("--out") { Description = "The agent's run directory (samples.jsonl goes here).", Required = true };
        var n = new Option<int>("--n") { Description = "Samples per query (N).", DefaultValueFactory = _ => 8 };
        var queries = new Option<int>("--queries") { Description = "Training queries, spread evenly over the in-domain families.", DefaultValueFactory = _ => 600 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed." };
        var drawSeed = new Option<int>("--draw-seed") { Description = "Which draw of the train split (pretraining used draw 1).", DefaultValueFactory = _ => 1000 };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Longest sample (default: the member's budget from the pool manifest, else 256)." };
        var families = new Option<string?>("--families") { Description = "Comma-separated in-domain families (default: all)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (the paper's 1.0; lower estimates a greedy server's p(x) better for small byte-level models).", DefaultValueFactory = _ => 1.0 };
        var engine = new Option<string>("--engine") { Description = "Sampling engine: disrouter (ours, the default) or torch (TorchSharp).", DefaultValueFactory = _ => "disrouter" };
        var device = new Option<string>("--device") { Description = "Torch engine: cuda, cpu or auto (CUDA when available).", DefaultValueFactory = _ => "auto" };
        var command = new Command("sample", "Self-awareness stage 1: sample the base model N times per training query and grade it.")
        {
            model, outDir, n, queries, seed, drawSeed, maxNew, families, temperature, engine, device,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(model)!, parse.GetValue(outDir)!, parse.GetValue(n),
            parse.GetValue(queries), parse.GetValue(seed), parse.GetValue(drawSeed), parse.GetValue(maxNew), parse.GetValue(families), parse.GetValue(temperature),
            parse.GetValue(engine)!, parse.GetValue(device)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct)));
        return command;
    }

    public static int Run(string model, string outDir, int n, int queryCount, int seed, int drawSeed, int? maxNewTokens, string? families, double temperature,
        string engine, string device, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (engine is not ("disrouter" or "torch")) { error.WriteLine($"--engine '{engine}': use disrouter or torch."); return SelfAwareCli.BadInput; }
        if (n < 1) { error.WriteLine("--n must be at least 1."); return SelfAwareCli.BadInput; }
        if (queryCount < 1) { error.WriteLine("--queries must be at least 1."); return SelfAwareCli.BadInput; }
        if (maxNewTokens is < 1) { error.WriteLine("--max-new-tokens must be at least 1."); return SelfAwareCli.BadInput; }
        if (!(temperature > 0) || temperature > 5) { error.WriteLine("--temperature must lie in (0, 5]: p(x) needs samples that can differ."); return SelfAwareCli.BadInput; }
        LoadedCheckpoint checkpoint;
        try { checkpoint = Checkpoint.Load(model); }
        catch (CheckpointException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }

        IReadOnlyList<TaskItem> items;
        try { items = TaskQueries.Draw(SelfAwareCli.NanoSuite(), TaskSplit.Train, queryCount, drawSeed, SelfAwareCli.ParseList(families)); }
        catch (ArgumentException e) { error.WriteLine(e.Message); return SelfAwareCli.BadInput; }

        var options = new SamplingOptions { SamplesPerQuery = n, Seed = seed, Temperature = temperature, MaxNewTokens = maxNewTokens ?? SelfAwareCli.MaxNewTokensFor(model, 256),
            TorchDevice = engine == "torch" ? device : null };
        var stage = new SamplingStage(checkpoint.Model, checkpoint.Tokenizer, new TaskReplyGrader(items), options);
        IReadOnlyList<QuerySamples> records = [];
        var rc = SelfAwareCli.RunStage("sample", output, error, progress =>
        {
            records = stage.Run(items.Select(TaskQueries.ToQuery).ToList(), outDir, progress, ct);
            return SelfAwareCli.Ok;
        });
        if (rc != SelfAwareCli.Ok) return rc;
        var report = StageReport.TryLoad(StageReport.PathFor(outDir, SamplingStage.Name))!;
        output.WriteLine($"sampled {records.Count} queries × {n}: mean p(x) {records.Average(r => r.Capability):0.000}; " +
            $"{report.SamplesDrawn} samples, {report.TokensProcessed} tokens, {report.WallSeconds:0.0} s → {SamplingStage.SamplesPath(outDir)}");
        return SelfAwareCli.Ok;
    }
}
