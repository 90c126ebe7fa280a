using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class SamplingStageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-sample-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SamplingOptions Options = new() { SamplesPerQuery = 4, MaxNewTokens = 12, Seed = 5 };

    private static IReadOnlyList<TrainingQuery> Queries() =>
        Enumerable.Range(0, 6).Select(i => TinyWorld.Query($"q{i}", $"What is {i} + 1?", (i + 1).ToString())).ToList();

    private SamplingStage Stage(SamplingOptions? options = null)
    {
        var ckpt = Checkpoint.Load(Path.Combine(_dir, "base"));
        return new SamplingStage(ckpt.Model, ckpt.Tokenizer, new ToyGrader(), options ?? Options);
    }

    [Fact]
    public void TheTorchEngineDrawsTheSameSamplesAsOurs()
    {
        // Temperature 1 with the same seeds and sampler: every sample's tokens must match, not just the capability.
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var ours = Stage().Run(Queries(), Path.Combine(_dir, "ours"));
        var torch = Stage(Options with { TorchDevice = "cpu" }).Run(Queries(), Path.Combine(_dir, "torch"));

        Assert.Equal(ours, torch, new SamplesComparer());
        Assert.True(ours.SelectMany(r => r.Samples).Select(s => s.Text).Distinct().Count() > 1, "the samples do not differ, so the seeds were not tested");
    }

    [Fact]
    public void EveryQueryGetsNGradedSamplesAndItsCapability()
    {
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        var records = Stage().Run(Queries(), run);

        Assert.Equal(Queries().Select(q => q.Id), records.Select(r => r.Id));
        Assert.All(records, r =>
        {
            Assert.Equal(4, r.Samples.Count);
            Assert.Equal(r.Samples.Count(s => s.Correct) / 4.0, r.Capability);
            Assert.All(r.Samples, s => Assert.InRange(s.Tokens, 1, 12));
        });
        Assert.Equal(records, JsonlFile.Read<QuerySamples>(SamplingStage.SamplesPath(run)), new SamplesComparer());
        var report = StageReport.TryLoad(StageReport.PathFor(run, "sample"))!;
        Assert.Equal("complete", report.Status);
        Assert.Equal(24, report.SamplesDrawn);
        Assert.Equal(records.Sum(r => r.Samples.Sum(s => s.Tokens)), report.GeneratedTokens);
        Assert.True(report.PromptTokens > 0 && report.WallSeconds > 0);
    }

    [Fact]
    public void AResumedRunAfterACrashWritesExactlyTheFileOfAnUninterruptedRun()
    {
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var whole = Path.Combine(_dir, "whole");
        Stage().Run(Queries(), whole);

        // Crash after the third finished query: cancellation stops the stage as a kill would, mid-run.
        var resumed = Path.Combine(_dir, "resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Stage().Run(Queries(), resumed, p => { if (p.Done == 3) cts.Cancel(); }, cts.Token));
        Assert.Equal(3, JsonlFile.Read<QuerySamples>(SamplingStage.SamplesPath(resumed)).Count);
        Assert.Equal("interrupted", StageReport.TryLoad(StageReport.PathFor(resumed, "sample"))!.Status);

        // A torn half line, as a kill during a write would leave, must not survive either.
        File.AppendAllText(SamplingStage.SamplesPath(resumed), "{\"id\":\"q3\",\"fam");
        var generatedAgain = new List<long>();
        Stage().Run(Queries(), resumed, p => generatedAgain.Add(p.Done));

        Assert.Equal(File.ReadAllText(SamplingStage.SamplesPath(whole)), File.ReadAllText(SamplingStage.SamplesPath(resumed)));
        Assert.Equal([3L, 4, 5, 6], generatedAgain); // only the three unfinished queries were sampled again
        var report = StageReport.TryLoad(StageReport.PathFor(resumed, "sample"))!;
        Assert.Equal(("complete", 2, 24L), (report.Status, report.Runs, report.SamplesDrawn));
    }

    [Fact]
    public void ResumingARunWithAnotherModelIsRefusedAndLeavesItsSamplesAlone()
    {
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => Stage().Run(Queries(), run, p => { if (p.Done == 2) cts.Cancel(); }, cts.Token));
        var before = File.ReadAllText(SamplingStage.SamplesPath(run));

        // The base model is retrained (other weights in the same place) before the run is resumed.
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 2);
        var e = Assert.Throws<InvalidOperationException>(() => Stage().Run(Queries(), run));

        Assert.Contains("another model", e.Message);
        Assert.Equal(before, File.ReadAllText(SamplingStage.SamplesPath(run)));
        // The same weights resume as before.
        TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        Assert.Equal(6, Stage().Run(Queries(), run).Count);
    }

    private sealed class SamplesComparer : IEqualityComparer<QuerySamples>
    {
        public bool Equals(QuerySamples? a, QuerySamples? b) =>
            a is not null && b is not null && a.Id == b.Id && a.Question == b.Question && a.Samples.SequenceEqual(b.Samples);

        public int GetHashCode(QuerySamples q) => q.Id.GetHashCode();
    }
}
