using DiSRouter.Core.Tasks;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.SelfAwareness;

/// <summary>The self-aware checkpoints the network serves by default (models/nano-selfaware) and the SFT ones the report reads (models/nano-sft).</summary>
public sealed class CommittedAgentsTests
{
    private static readonly string Models = RepositoryFiles.Models;

    public static TheoryData<string> Checkpoints() =>
        new(NanoPool.Members.SelectMany(m => new[] { Path.Combine("nano-selfaware", m.Name), Path.Combine("nano-sft", m.Name) }));

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void EveryCommittedAgentDecidesByThresholdsMadeForItsOwnWeights(string checkpoint)
    {
        var dir = Path.Combine(Models, checkpoint);
        var loaded = Checkpoint.Load(dir);

        var sut = DecisionThresholds.TryRead(dir);

        Assert.NotNull(sut);
        Assert.Equal(WeightsFingerprint.Of(loaded.Model), sut.WeightsSha256);
        // Measured over the whole range users pick from, and answering no less often as α rises on the calibration queries.
        Assert.True(sut.Points[0].Alpha <= 0.05 && sut.Points[^1].Alpha >= 0.95);
        var rates = sut.Points.Select(p => p.AnswerRate!.Value).ToList();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", rates));
        // The two texts the decision compares open differently, so their first tokens differ.
        Assert.NotEqual(loaded.Tokenizer.Encode(sut.AnswerText)[0], loaded.Tokenizer.Encode(sut.RejectText)[0]);
        // The answer text they were calibrated on is the template's opening, byte for byte: the one place that spells it.
        Assert.Equal(AnswerTemplate.Opening, sut.AnswerText);
    }
}
