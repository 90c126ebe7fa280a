using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class ModelPretrainerTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;

    /// <summary>Copy-the-word documents: enough structure that a few steps move the loss.</summary>
    private static PretrainCorpus SmallCorpus()
    {
        var rng = new Random(5);
        var docs = Enumerable.Range(0, 64).Select(_ =>
        {
            var word = new string(Enumerable.Range(0, rng.Next(3, 7)).Select(_ => (char)('a' + rng.Next(6))).ToArray());
            var (tokens, mask) = ChatFormat.EncodeExample(Tokenizer, "", $"repeat {word}", $"{word} {word}");
            return new CorpusDocument("copy", tokens, mask);
        });
        return PretrainCorpus.From(docs, maxLength: 64, generatorVersion: "test");
    }

    private static PoolMemberSpec TinySpec(int steps) =>
        NanoPool.Member("tiny", hidden: 16, layers: 1, heads: 2, kvHeads: 1, tied: true, seed: 9, cost: 0.1, steps: steps, lr: 1e-2f)
            with { BatchSize = 8, MicroBatchSize = 4, WarmupSteps = 2 };

    [Fact]
    public void ResumedRunAfterACrashEndsWithTheSameWeightsAsAnUninterruptedRun()
    {
        using var dir = new TempDirectory();
        var corpus = SmallCorpus();
        var spec = TinySpec(steps: 12);

        var straight = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work-a"), dir.Sub("out-a"),
            new PretrainRunOptions { CheckpointEverySteps = 4, OutputDType = CheckpointDType.F32 });
        var crashed = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work-b"), dir.Sub("out-b"),
            new PretrainRunOptions { CheckpointEverySteps = 4, HaltAfterStep = 10, OutputDType = CheckpointDType.F32 });
        bool exportedBeforeResume = File.Exists(Path.Combine(dir.Sub("out-b"), "config.json"));
        int resumedAt = -1;
        var resumed = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work-b"), dir.Sub("out-b"),
            new PretrainRunOptions { CheckpointEverySteps = 4, OutputDType = CheckpointDType.F32, OnResume = s => resumedAt = s });

        Assert.Equal(PretrainStatus.Trained, straight.Status);
        Assert.Equal(PretrainStatus.Halted, crashed.Status);
        Assert.False(exportedBeforeResume);
        Assert.Equal(8, resumedAt); // the last periodic save before the crash; steps 9–10 are redone
        Assert.Equal(PretrainStatus.Trained, resumed.Status);
        Assert.Equal(straight.Info!.TokensSeen, resumed.Info!.TokensSeen);
        Assert.Equal(straight.Info.FinalLoss, resumed.Info.FinalLoss);
        var a = Checkpoint.Load(dir.Sub("out-a")).Model;
        var b = Checkpoint.Load(dir.Sub("out-b")).Model;
        for (int i = 0; i < a.Parameters.Count; i++)
            Assert.Equal(a.Parameters[i].Data, b.Parameters[i].Data);
    }

    [Fact]
    public void TrainedMemberRecordsTheSimdPathItsStepsRanOn()
    {
        using var dir = new TempDirectory();
        var spec = TinySpec(steps: 3);
        var trained = new ModelPretrainer(spec, SmallCorpus(), Tokenizer).Run(dir.Sub("work"), dir.Sub("out"), new PretrainRunOptions());

        // The same weights come back bit for bit only on the same path, so the checkpoint and the manifest say which ran.
        Assert.Equal(SimdPath.Describe(), trained.Info!.SimdPath);
        Assert.Equal(SimdPath.Describe(), Checkpoint.Load(dir.Sub("out")).Metadata["disrouter.simd_path"]);
        Assert.True(new ModelPretrainer(spec, SmallCorpus(), Tokenizer).IsFinished(dir.Sub("out"), out var skipped));
        Assert.Equal(SimdPath.Describe(), skipped!.SimdPath);
        Assert.Equal(SimdPath.Describe(), TrainingProgress.TryLoad(Path.Combine(dir.Sub("work"), "state"))!.SimdPath);
    }

    [Fact]
    public void ResumingOnAnotherSimdPathRecordsBoth()
    {
        static TrainingProgress At(int step, string? path) =>
            new() { SpecHash = "h", Step = step, TokensSeen = 0, TrainSeconds = 0, LossCurve = [], SimdPath = path };

        Assert.Equal("256-bit", At(0, null).ContinuedOn("256-bit"));                      // a fresh run
        Assert.Equal("512-bit", At(40, "512-bit").ContinuedOn("512-bit"));                // resumed on the same path
        Assert.Equal("512-bit, then 256-bit", At(40, "512-bit").ContinuedOn("256-bit"));  // resumed on another machine
        Assert.Equal("512-bit, then 256-bit", At(80, "512-bit, then 256-bit").ContinuedOn("256-bit"));
        Assert.Equal("unknown, then 256-bit", At(40, null).ContinuedOn("256-bit"));       // state saved before the path was recorded
    }

    [Fact]
    public void FinishedMemberIsSkippedAndAChangedSpecRetrains()
    {
        using var dir = new TempDirectory();
        var corpus = SmallCorpus();
        var spec = TinySpec(steps: 3);
        new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"), new PretrainRunOptions());

        var again = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"), new PretrainRunOptions());
        var changed = new ModelPretrainer(spec with { Steps = 4 }, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"), new PretrainRunOptions());

        Assert.Equal(PretrainStatus.Skipped, again.Status);
        Assert.Equal(3, again.Info!.Steps);
        Assert.Equal(PretrainStatus.Trained, changed.Status);
        Assert.Equal(4, changed.Info!.Steps);
    }

    [Fact]
    public void CancelledRunSavesItsStateAndContinuesWhereItStopped()
    {
        using var dir = new TempDirectory();
        var corpus = SmallCorpus();
        var spec = TinySpec(steps: 8);
        using var cts = new CancellationTokenSource();

        var first = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"),
            new PretrainRunOptions { CheckpointEvery = TimeSpan.FromHours(1), OnStep = (s, _) => { if (s == 5) cts.Cancel(); } }, cts.Token);
        int resumedAt = -1;
        var second = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"),
            new PretrainRunOptions { OnResume = s => resumedAt = s });

        Assert.Equal(PretrainStatus.Cancelled, first.Status);
        Assert.Equal(5, resumedAt);
        Assert.Equal(PretrainStatus.Trained, second.Status);
    }
}
