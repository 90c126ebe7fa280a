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
    public void ACompletedRunWithTheSameInputsIsKeptNotTrainedAgain()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        var first = new SftStage(Options).Run(baseDir, run);
        var weights = Path.Combine(first.CheckpointDirectory, Checkpoint.WeightsFileName);
        var written = File.GetLastWriteTimeUtc(weights);
        var bytes = File.ReadAllBytes(weights);

        var again = new SftStage(Options).Run(baseDir, run);

        Assert.True(again.Reused);
        Assert.False(first.Reused);
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights)); // not rewritten
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
    public void NoSamplesIsAClearError()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => new SftStage(Options).Run(baseDir, Path.Combine(_dir, "empty")));
        Assert.Contains("run the sample stage first", e.Message);
    }
}
