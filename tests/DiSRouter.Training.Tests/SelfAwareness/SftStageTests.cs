using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SftStageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-sft-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SftOptions Options = new() { Steps = 12, BatchSize = 4, MicroBatchSize = 4, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 2, SaveEvery = 5, Seed = 3 };

    /// <summary>A run folder holding samples.jsonl for q0 … q8 with 0 … 8 correct samples out of 8.</summary>
    private string PrepareRun(string name)
    {
        var run = Path.Combine(_dir, name);
        JsonlFile.WriteAll(SamplingStage.SamplesPath(run), Enumerable.Range(0, 9).Select(c => SftDataBuilderTests.Query($"q{c}", c)));
        return run;
    }

    [Fact]
    public void FineTunesOnTheBalancedDataAndPublishesACompleteCheckpoint()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        var result = new SftStage(Options).Run(baseDir, run);

        Assert.Equal(12, JsonlFile.Read<SftExample>(Path.Combine(run, SftStage.DataFile)).Count); // 3 scenarios × (2 + 2)
        Assert.True(result.LastLoss < result.FirstLoss, $"loss {result.FirstLoss} → {result.LastLoss}");
        var ckpt = Checkpoint.Load(result.CheckpointDirectory);
        Assert.Equal("sft", ckpt.Metadata["stage"]);
        Assert.False(Directory.Exists(Path.Combine(run, "sft.state")));
        var report = StageReport.TryLoad(StageReport.PathFor(run, "sft"))!;
        Assert.Equal(("complete", 12L), (report.Status, report.OptimizerSteps));
        Assert.True(report.TrainedTokens > 12 * 4 * 60, $"{report.TrainedTokens} tokens"); // 12 steps of 4 examples, each at least ~60 tokens
        Assert.Equal(12, report.Details["examples"].GetInt32());
    }

    [Fact]
    public void TheTorchEngineTrainsToTheSameWeightsAsOurs()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var ours = new SftStage(Options).Run(baseDir, PrepareRun("ours"));
        var torch = new SftStage(Options with { TorchDevice = "cpu" }).Run(baseDir, PrepareRun("torch"));

        Assert.True(Math.Abs(ours.FirstLoss - torch.FirstLoss) < 1e-4, $"first loss {ours.FirstLoss} vs {torch.FirstLoss}");
        Assert.True(Math.Abs(ours.LastLoss - torch.LastLoss) < 1e-3, $"last loss {ours.LastLoss} vs {torch.LastLoss}");
        var a = Checkpoint.Load(ours.CheckpointDirectory).Model;
        var b = Checkpoint.Load(torch.CheckpointDirectory).Model;
        // 12 AdamW steps at lr 3e-3: each weight moves by up to ~0.04; the engines agree far inside that.
        foreach (var p in a.Parameters)
            Assert.True(p.Data.Zip(b.Find(p.Name)!.Data, (x, y) => Math.Abs(x - y)).Max() < 2e-3, p.Name);
        Assert.False(Directory.Exists(Path.Combine(_dir, "torch", "sft.state")));
        Assert.Equal(12L, torch.Report.OptimizerSteps);
    }

    [Fact]
    public void AShardedHuggingFaceBaseTrainsOnTheTorchEngineAsItsSingleFileTwin()
    {
        // The same weights in two layouts: one model.safetensors, and two shards beside model.safetensors.index.json (how
        // Qwen2.5-3B and larger ship). The torch engine streams either onto its device; the stage hashes either as its input.
        var single = TinyWorld.SaveRandomModel(Path.Combine(_dir, "single"), seed: 1);
        var sharded = Directory.CreateDirectory(Path.Combine(_dir, "sharded")).FullName;
        var tensors = SafeTensorsFile.ReadAll(Path.Combine(single, Checkpoint.WeightsFileName)).Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var halves = new[] { tensors.Take(tensors.Count / 2).ToList(), tensors.Skip(tensors.Count / 2).ToList() };
        var weightMap = new Dictionary<string, string>();
        for (int i = 0; i < 2; i++)
        {
            var file = $"model-0000{i + 1}-of-00002.safetensors";
            SafeTensorsWriter.Write(Path.Combine(sharded, file), halves[i]);
            foreach (var t in halves[i]) weightMap[t.Name] = file;
        }
        File.WriteAllText(Path.Combine(sharded, SafeTensorsShards.IndexFileName),
            System.Text.Json.JsonSerializer.Serialize(new { metadata = new { }, weight_map = weightMap }));
        foreach (var f in new[] { "config.json", "tokenizer.json" }) File.Copy(Path.Combine(single, f), Path.Combine(sharded, f));

        var options = Options with { Steps = 2, TorchDevice = "cpu" };
        var a = new SftStage(options).Run(single, PrepareRun("single"));
        var b = new SftStage(options).Run(sharded, PrepareRun("sharded"));

        Assert.Equal(a.LastLoss, b.LastLoss);
        var x = Checkpoint.Load(a.CheckpointDirectory).Model;
        var y = Checkpoint.Load(b.CheckpointDirectory).Model;
        foreach (var p in x.Parameters) Assert.Equal(p.Data, y.Find(p.Name)!.Data);
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameWeightsAsAnUninterruptedOne()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var whole = new SftStage(Options).Run(baseDir, PrepareRun("whole"));

        var run = PrepareRun("resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SftStage(Options).Run(baseDir, run, p => { if (p.Done == 7) cts.Cancel(); }, cts.Token));
        Assert.False(Directory.Exists(Path.Combine(run, SftStage.CheckpointFolder))); // nothing half-published
        Assert.True(Directory.Exists(Path.Combine(run, "sft.state")));
        var steps = new List<long>();
        var resumed = new SftStage(Options).Run(baseDir, run, p => steps.Add(p.Done));

        Assert.Equal(7, steps[0]); // picked up where it stopped
        var a = Checkpoint.Load(whole.CheckpointDirectory).Model;
        var b = Checkpoint.Load(resumed.CheckpointDirectory).Model;
        for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Data, b.Parameters[i].Data);
        Assert.Equal(whole.LastLoss, resumed.LastLoss);
        Assert.Equal(2, resumed.Report.Runs);
        Assert.Equal(12, resumed.Report.OptimizerSteps);
    }

    [Fact]
    public void ACancelDuringASaveFinishesThatResumePointAndResumesToTheSameWeights()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var whole = new SftStage(Options).Run(baseDir, PrepareRun("whole"));

        // Ctrl+C while the resume point after step 5 is being written: the save is finished whole, nothing is saved twice.
        var run = PrepareRun("resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SftStage(Options).Run(baseDir, run, p => { if (p.Detail == "saving") cts.Cancel(); }, cts.Token));
        var state = Path.Combine(run, "sft.state");
        Assert.Equal(5, System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "progress.json"))).RootElement.GetProperty("Step").GetInt32());
        Assert.Single(Directory.EnumerateDirectories(run)); // the resume point alone: no temp folder, no published checkpoint
        var steps = new List<long>();
        var resumed = new SftStage(Options).Run(baseDir, run, p => steps.Add(p.Done));

        Assert.Equal(5, steps[0]);
        var a = Checkpoint.Load(whole.CheckpointDirectory).Model;
        var b = Checkpoint.Load(resumed.CheckpointDirectory).Model;
        for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Data, b.Parameters[i].Data);
    }

    [Fact]
    public void TheTorchEngineResumesAnInterruptedRunToTheWeightsOfAnUninterruptedOne()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var torch = Options with { TorchDevice = "cpu" };
        var whole = new SftStage(torch).Run(baseDir, PrepareRun("whole"));

        var run = PrepareRun("resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SftStage(torch).Run(baseDir, run, p => { if (p.Done == 7) cts.Cancel(); }, cts.Token));
        Assert.True(Directory.Exists(Path.Combine(run, "sft.state")));
        var resumed = new SftStage(torch).Run(baseDir, run);

        // libtorch on the CPU repeats its sums in the same order, so the resumed run is the uninterrupted one bit for bit.
        var a = Checkpoint.Load(whole.CheckpointDirectory).Model;
        var b = Checkpoint.Load(resumed.CheckpointDirectory).Model;
        for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Data, b.Parameters[i].Data);
        Assert.Equal(whole.LastLoss, resumed.LastLoss);
        Assert.Equal((2, 12L), (resumed.Report.Runs, resumed.Report.OptimizerSteps));
    }

    [Fact]
    public void ACompletedRunWithTheSameInputsIsKeptNotTrainedAgain()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        var first = new SftStage(Options).Run(baseDir, run);
        var weights = Path.Combine(first.CheckpointDirectory, Checkpoint.WeightsFileName);
        var written = File.GetLastWriteTimeUtc(weights);
        var bytes = File.ReadAllBytes(weights);
        var dataFile = Path.Combine(run, SftStage.DataFile);
        var dataWritten = File.GetLastWriteTimeUtc(dataFile);

        var again = new SftStage(Options).Run(baseDir, run);

        Assert.True(again.Reused);
        Assert.False(first.Reused);
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights)); // not rewritten
        Assert.Equal(dataWritten, File.GetLastWriteTimeUtc(dataFile)); // nor its data, which the inputs hash says is the same
        Assert.Equal(bytes, File.ReadAllBytes(weights));
        Assert.Equal((first.Steps, first.FirstLoss, first.LastLoss), (again.Steps, again.FirstLoss, again.LastLoss));
        Assert.Equal(1, again.Report.Runs);
    }

    [Fact]
    public void ChangedOptionsOrBaseWeightsTrainAgain()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        new SftStage(Options).Run(baseDir, run);

        var otherLr = new SftStage(Options with { LearningRate = 2e-3 }).Run(baseDir, run);
        Assert.False(otherLr.Reused);
        Assert.Equal(1, otherLr.Report.Runs); // a fresh run of its own, not a resumed one

        TinyWorld.SaveRandomModel(baseDir, seed: 2); // the base model changed under the run
        var otherBase = new SftStage(Options with { LearningRate = 2e-3 }).Run(baseDir, run);
        Assert.False(otherBase.Reused);
    }

    [Fact]
    public void AChainLossWeightLightensOnlyTheChainOfAnAnswerTarget()
    {
        var tokenizer = DiSRouter.Models.Tokenization.ByteTokenizer.Default;
        var answer = new SftExample
        {
            QueryId = "q", Alpha = 0.5, Scenario = "balance", System = "Cost weight 0.50.", User = "What is 2+3?",
            Target = "Let's think step by step: 2+3=5. The final answer is: 5.", Reject = false, Capability = 1,
        };
        var reject = answer with { Target = "I don't know!", Reject = true, Capability = 0 };

        var full = SftStage.Encode(answer, tokenizer, null).LossMask!;
        var light = SftStage.Encode(answer, tokenizer, 0.25).LossMask!;
        int targetStart = full.Length - (tokenizer.Encode(answer.Target).Length + 1);
        int chainStart = targetStart + "Let's think step by step: ".Length; // one byte a token

        Assert.All(full[..targetStart], m => Assert.Equal(0f, m));              // the prompt is never trained
        Assert.All(full[targetStart..], m => Assert.Equal(1f, m));
        Assert.Equal(full[..chainStart], light[..chainStart]);                     // prompt and decision as before
        Assert.All(light[chainStart..], m => Assert.Equal(0.25f, m));              // chain, final answer and <|eos|>
        Assert.Equal(SftStage.Encode(reject, tokenizer, null).LossMask, SftStage.Encode(reject, tokenizer, 0.25).LossMask);
    }

    [Fact]
    public void AChainLossWeightIsPartOfTheInputsButItsAbsenceKeepsOldRuns()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        var first = new SftStage(Options).Run(baseDir, run);
        Assert.True(new SftStage(Options with { ChainLossWeight = null }).Run(baseDir, run).Reused);
        // Unset, the weight is not in the options' JSON, so the hash of a run made before the option existed still matches.
        Assert.DoesNotContain("chain", System.Text.Json.JsonSerializer.Serialize(Options, JsonlFile.Json), StringComparison.OrdinalIgnoreCase);

        var light = new SftStage(Options with { ChainLossWeight = 0.1 }).Run(baseDir, run);

        Assert.False(light.Reused);
        Assert.NotEqual(first.LastLoss, light.LastLoss);
        Assert.Throws<ArgumentException>(() => new SftStage(Options with { ChainLossWeight = 1.5 }));
    }

    [Fact]
    public void NoSamplesIsAClearError()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => new SftStage(Options).Run(baseDir, Path.Combine(_dir, "empty")));
        Assert.Contains("run the sample stage first", e.Message);
    }
}
