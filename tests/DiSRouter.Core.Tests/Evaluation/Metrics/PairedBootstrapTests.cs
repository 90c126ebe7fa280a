using DiSRouter.Core.Evaluation.Metrics;

namespace DiSRouter.Core.Tests.Evaluation.Metrics;

public class PairedBootstrapTests
{
    [Fact]
    public void AConstantDifferenceHasAPointInterval()
    {
        var b = new[] { 0.2, 0.9, 0.4, 0.0 };
        var sut = PairedBootstrap.Difference(b.Select(x => x + 0.1).ToArray(), b, 500, seed: 3);
        Assert.Equal(0.1, sut.Mean, 9);
        Assert.Equal(0.1, sut.Low, 9);
        Assert.Equal(0.1, sut.High, 9);
        Assert.Equal("win", sut.Verdict);
    }

    [Fact]
    public void TwoQueriesGiveTheHandComputedPercentiles()
    {
        // Differences 1 and 0: a resample's mean is 0, ½ or 1 with chances ¼, ½, ¼, so the 2.5th percentile is 0 and
        // the 97.5th is 1, and the interval holds 0: a tie.
        var sut = PairedBootstrap.Difference([1.0, 0.5], [0.0, 0.5], 4000, seed: 1);
        Assert.Equal(0.5, sut.Mean, 9);
        Assert.Equal(0.0, sut.Low, 9);
        Assert.Equal(1.0, sut.High, 9);
        Assert.Equal("tie", sut.Verdict);
    }

    [Fact]
    public void PairingRemovesTheNoiseTheMethodsShare()
    {
        // The same hard and easy queries for both; the second method is always 0.05 worse. Unpaired, the spread of the
        // queries would swamp 0.05; paired, the interval is a point above 0.
        var shared = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? 1.0 : 0.0).ToArray();
        var sut = PairedBootstrap.Difference(shared, shared.Select(x => x - 0.05).ToArray(), 500);
        Assert.True(sut.Low > 0, $"{sut}");
    }

    [Fact]
    public void UnequalLengthsAreRefused() =>
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Difference([1.0], [1.0, 0.0]));

    [Fact]
    public void PercentilesInterpolateBetweenOrderStatistics()
    {
        Assert.Equal(2.5, Percentile.Of([4.0, 1, 3, 2], 0.5), 9);
        Assert.Equal(3.97, Percentile.Of([4.0, 1, 3, 2], 0.99), 9);
    }
}
