using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Models.Tests.Checkpoints;

public sealed class DecisionThresholdsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("decision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DecisionThresholds Make(params (double Alpha, double Gap)[] points) => new()
    {
        AnswerText = "Let's think step by step:",
        RejectText = "I don't know!",
        WeightsSha256 = "0123456789abcdef",
        Points = points.Select(p => new DecisionPoint(p.Alpha, p.Gap)).ToList(),
    };

    [Fact]
    public void ThresholdIsLinearBetweenGridPointsAndFlatBeyondThem()
    {
        var sut = Make((0.2, 4.0), (0.5, 1.0), (0.8, -2.0));
        Assert.Equal(4.0, sut.ThresholdAt(0.0), 12);
        Assert.Equal(4.0, sut.ThresholdAt(0.2), 12);
        Assert.Equal(2.5, sut.ThresholdAt(0.35), 12);
        Assert.Equal(-1.0, sut.ThresholdAt(0.7), 12);
        Assert.Equal(-2.0, sut.ThresholdAt(1.0), 12);
        Assert.True(sut.Answers(2.51, 0.35));
        Assert.False(sut.Answers(2.49, 0.35));
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.ThresholdAt(1.5));
    }

    [Fact]
    public void FileRoundTripsBesideTheCheckpointAndAnAbsentFileReadsAsNone()
    {
        Assert.Null(DecisionThresholds.TryRead(_dir));
        var written = Make((0.1, 3.25), (0.9, -0.5)) with { Points = [new DecisionPoint(0.1, 3.25, 0.4, 0.9, 0.5, 0.8), new DecisionPoint(0.9, -0.5)] };
        written.Write(_dir);

        var read = DecisionThresholds.TryRead(_dir)!;
        Assert.Equal(written.WeightsSha256, read.WeightsSha256);
        Assert.Equal(written.Points, read.Points);
        Assert.Equal(DecisionThresholds.CurrentFormat, read.Format);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Theory]
    [InlineData("{ not json", "not a valid decision file")]
    [InlineData("""{"format":"other/9","answer_text":"L","reject_text":"I","weights_sha256":"ab","thresholds":[{"alpha":0.5,"logit_gap":0}]}""", "format 'other/9'")]
    [InlineData("""{"format":"disrouter-decision/1","answer_text":"L","reject_text":"I","weights_sha256":"ab","thresholds":[]}""", "no thresholds")]
    [InlineData("""{"format":"disrouter-decision/1","answer_text":"L","reject_text":"I","weights_sha256":"ab","thresholds":[{"alpha":0.5,"logit_gap":0},{"alpha":0.2,"logit_gap":1}]}""", "ascending order")]
    [InlineData("""{"format":"disrouter-decision/1","answer_text":"L","reject_text":"I","weights_sha256":"ab","thresholds":[{"alpha":1.5,"logit_gap":0}]}""", "outside [0, 1]")]
    [InlineData("""{"format":"disrouter-decision/1","answer_text":"L","reject_text":"I","weights_sha256":"","thresholds":[{"alpha":0.5,"logit_gap":0}]}""", "weights_sha256 is missing")]
    public void BadFileIsRefusedWithItsReason(string content, string reason)
    {
        File.WriteAllText(Path.Combine(_dir, DecisionThresholds.FileName), content);
        var e = Assert.Throws<CheckpointException>(() => DecisionThresholds.TryRead(_dir));
        Assert.Contains(reason, e.Message);
        Assert.Contains(DecisionThresholds.FileName, e.FilePath);
    }

    [Fact]
    public void WeightsFingerprintFollowsTheValuesNotTheObject()
    {
        var a = TransformerModel.Create(Inference.TinyModels.Config(), seed: 5);
        var b = TransformerModel.Create(Inference.TinyModels.Config(), seed: 5);
        var c = TransformerModel.Create(Inference.TinyModels.Config(), seed: 6);
        Assert.Equal(WeightsFingerprint.Of(a), WeightsFingerprint.Of(b));
        Assert.NotEqual(WeightsFingerprint.Of(a), WeightsFingerprint.Of(c));
    }
}
