using System.Text.Json;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class CalibrationStageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-calibrate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SelfAwarenessReward Gamma8 = new(0.125);

    private static CalibrationRecord Record(double alpha, double[] gaps, bool[] correct) =>
        new("inputs", alpha, gaps, gaps.Select(g => g > 0).ToArray(), correct);

    [Fact]
    public void ThresholdAnswersTheQueriesWhoseAnswersPayMoreThanARejection()
    {
        // α = 0.2: a rejection earns 0.8^0.125 ≈ 0.9725. Answering the two largest gaps (both right) gains 2 × 0.0275;
        // the third is wrong and costs 0.9725, more than the fourth (right) gives back.
        var r = Record(0.2, [5, 4, 3, 2, 1], [true, true, false, true, false]);

        var p = Assert.Single(CalibrationStage.Points([r], Gamma8));

        Assert.Equal(0.2, p.Alpha);
        Assert.Equal(3.5, p.LogitGap, 12); // midway between the last answered (4) and the first declined (3)
        Assert.Equal(0.4, p.AnswerRate);
        double rejection = Gamma8.RejectionReward(0.2);
        Assert.Equal(Math.Round((2 + 3 * rejection) / 5, 4), p.MeanReward);
        // Greedy (gap > 0) answers all five: three right.
        Assert.Equal((1.0, 0.6), (p.GreedyAnswerRate, p.GreedyMeanReward));
    }

    [Fact]
    public void AnswersNeverFallAsAlphaRises()
    {
        // Alone, α = 0.2 would answer two (gain 0.055) and α = 0.5 one (gain 0.083): fewer at the higher α. Jointly the
        // best schedule with non-decreasing counts answers one at both (0.0275 + 0.083 against 0.055 − 0.834).
        var low = Record(0.2, [5, 4, 3, 2, 1], [true, true, false, true, false]);
        var high = Record(0.5, [5, 4, 3, 2, 1], [true, false, false, false, false]);

        var points = CalibrationStage.Points([low, high], Gamma8);

        Assert.Equal([0.2, 0.2], points.Select(p => p.AnswerRate));
        Assert.Equal([4.5, 4.5], points.Select(p => p.LogitGap));
        var th = new DecisionThresholds { AnswerText = "L", RejectText = "I", WeightsSha256 = "x", Points = points };
        Assert.True(th.Answers(5, 0.35));
        Assert.False(th.Answers(4, 0.35));
    }

    [Fact]
    public void EqualGapsAreNeverSplitAndNoneOrAllMayAnswer()
    {
        // α = 0.9: a rejection earns 0.1^0.125 ≈ 0.75. Cutting between the two equal gaps would gain 0.25, but equal gaps
        // decide alike; both together lose 0.5, so none answers and the threshold sits above every gap.
        var none = Assert.Single(CalibrationStage.Points([Record(0.9, [3, 3, 1], [true, false, false])], Gamma8));
        Assert.Equal((0.0, 4.0), (none.AnswerRate!.Value, none.LogitGap));

        var all = Assert.Single(CalibrationStage.Points([Record(0.9, [2, 1], [true, true])], Gamma8));
        Assert.Equal((1.0, 0.0), (all.AnswerRate!.Value, all.LogitGap));
    }

    private static readonly TrainingQuery[] Queries = Enumerable.Range(0, 6)
        .Select(i => TinyWorld.Query($"q{i}", "Pick 1 or 2.", i % 2 == 0 ? "2" : "7")).ToArray();

    private string Checkpoint() => TinyWorld.SaveConstantReplier(Path.Combine(_dir, "run", "rl"), ["Pick 1 or 2."],
        "Let's think step by step: 1+1=2. The final answer is: 2.");

    private static CalibrationStage Stage() =>
        new(new ToyGrader(), new CalibrationOptions { Alphas = [0.2, 0.5, 0.8], Gamma = 0.125, MaxNewTokens = 48, Parallelism = 2 });

    [Fact]
    public void CalibrationWritesThresholdsBoundToTheWeightsAndItsCost()
    {
        var ckpt = Checkpoint();
        var run = Path.Combine(_dir, "run");

        var result = Stage().Run(ckpt, Queries, run);

        Assert.False(result.Reused);
        var file = DecisionThresholds.TryRead(ckpt)!;
        Assert.Equal(WeightsFingerprint.Of(Models.Checkpoints.Checkpoint.Load(ckpt).Model), file.WeightsSha256);
        Assert.Equal([0.2, 0.5, 0.8], file.Points.Select(p => p.Alpha));
        // The model answers "2" to everything: right on half the queries. A rejection earns 0.97 / 0.92 / 0.82, more than
        // half a right answer, and every query has the same gap (the same prompt), so it declines all at every α.
        Assert.All(file.Points, p => Assert.Equal(0.0, p.AnswerRate));
        Assert.Equal(AnswerTemplate.Opening, file.AnswerText);
        Assert.Equal(("calibrate-rl", "complete"), (result.Report.Stage, result.Report.Status));
        Assert.True(result.Report.PromptTokens > 0 && result.Report.GeneratedTokens > 0);
        Assert.Equal(3, File.ReadLines(CalibrationStage.LogPath(run, "rl")).Count());

        // Again: the logged replies are reused, nothing is asked of the model, the thresholds are the same.
        var again = Stage().Run(ckpt, Queries, run);
        Assert.True(again.Reused);
        Assert.Equal(file.Points, DecisionThresholds.TryRead(ckpt)!.Points);
        Assert.Equal(3, File.ReadLines(CalibrationStage.LogPath(run, "rl")).Count());
    }

    [Fact]
    public void InterruptedCalibrationResumesAtTheNextAlphaAndLeavesNoFileBefore()
    {
        var ckpt = Checkpoint();
        var run = Path.Combine(_dir, "run");
        using var cts = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Stage().Run(ckpt, Queries, run, p => { if (p.Done == Queries.Length + 1) cts.Cancel(); }, cts.Token));
        Assert.Null(DecisionThresholds.TryRead(ckpt)); // nothing half-made beside the weights
        var logged = File.ReadLines(CalibrationStage.LogPath(run, "rl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("alpha").GetDouble()).ToList();
        Assert.Equal([0.2], logged); // the first α finished before the cut; the second was cancelled part way
        Assert.Equal("interrupted", StageReport.TryLoad(CalibrationStage.ReportPath(run, "rl"))!.Status);

        long asked = 0;
        var result = Stage().Run(ckpt, Queries, run, p => asked = p.Done);
        Assert.Equal(3, File.ReadLines(CalibrationStage.LogPath(run, "rl")).Count());
        Assert.Equal(3 * Queries.Length, asked); // counted from where it stopped: the first α was not asked again
        Assert.NotNull(DecisionThresholds.TryRead(ckpt));
        Assert.Equal(("complete", 2), (result.Report.Status, result.Report.Runs)); // the cost of both runs
    }

    [Fact]
    public void TheTorchEngineGivesTheSameThresholdsAsOurs()
    {
        // Questions that differ, so the logit gaps differ from query to query; half the references match the model's
        // constant answer. At γ = 1 a rejection earns 1 − α, so the cut moves with α and lands between queries.
        var questions = Enumerable.Range(0, 8).Select(i => $"Pick {i} or 2.").ToArray();
        var queries = questions.Select((q, i) => TinyWorld.Query($"q{i}", q, i % 2 == 0 ? "2" : "7")).ToArray();
        var ours = TinyWorld.SaveConstantReplier(Path.Combine(_dir, "ours", "rl"), questions, "Let's think step by step: 1+1=2. The final answer is: 2.");
        var torch = Path.Combine(_dir, "torch", "rl");
        Directory.CreateDirectory(torch);
        foreach (var f in Directory.EnumerateFiles(ours)) File.Copy(f, Path.Combine(torch, Path.GetFileName(f)));
        var options = new CalibrationOptions { Alphas = [0.2, 0.5, 0.8], Gamma = 1, MaxNewTokens = 48, Parallelism = 2 };

        var a = new CalibrationStage(new ToyGrader(), options).Run(ours, queries, Path.Combine(_dir, "ours")).Thresholds;
        var b = new CalibrationStage(new ToyGrader(), options with { TorchDevice = "cpu" }).Run(torch, queries, Path.Combine(_dir, "torch")).Thresholds;

        Assert.Equal(a.WeightsSha256, b.WeightsSha256);
        Assert.Equal(a.Points.Select(p => (p.Alpha, p.AnswerRate, p.MeanReward, p.GreedyAnswerRate, p.GreedyMeanReward)),
            b.Points.Select(p => (p.Alpha, p.AnswerRate, p.MeanReward, p.GreedyAnswerRate, p.GreedyMeanReward)));
        Assert.All(a.Points.Zip(b.Points), p => Assert.True(Math.Abs(p.First.LogitGap - p.Second.LogitGap) < 1e-4, $"α {p.First.Alpha}: {p.First.LogitGap} vs {p.Second.LogitGap}"));
        Assert.True(a.Points.Any(p => p.AnswerRate is > 0 and < 1), "no cut between queries: " + // not all or none
            string.Join("; ", a.Points.Select(p => $"α {p.Alpha}: rate {p.AnswerRate} gap {p.LogitGap} reward {p.MeanReward} greedy {p.GreedyAnswerRate}")));
    }

    [Fact]
    public void ThresholdsForOtherWeightsAreRefusedByTheReport()
    {
        var ckpt = Checkpoint();
        new DecisionThresholds { AnswerText = "L", RejectText = "I", WeightsSha256 = "0000000000000000", Points = [new DecisionPoint(0.5, 0)] }.Write(ckpt);
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var report = new SelfAwareReport(new ToyGrader(), new SelfAwareReportOptions { DeltaQueries = 0, IdealSamples = 0, Parallelism = 2 });

        var e = Assert.Throws<InvalidOperationException>(() =>
            report.Run([new AgentCheckpoints("a", 0.1, baseDir, null, ckpt, 16), new AgentCheckpoints("b", 0.9, baseDir, null, null, 16)], Queries));
        Assert.Contains("calibrated on other weights", e.Message);
    }
}
