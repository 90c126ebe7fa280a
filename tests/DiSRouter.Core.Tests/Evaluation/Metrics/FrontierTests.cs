using DiSRouter.Core.Evaluation.Metrics;

namespace DiSRouter.Core.Tests.Evaluation.Metrics;

public class FrontierTests
{
    // Weak (0.1, 0.3), a middle point (0.5, 0.7), strong (0.9, 0.8): the hull rises 0.3 → 0.7 over [0.1, 0.5] and
    // 0.7 → 0.8 over [0.5, 0.9]. Area 0.4·0.5 + 0.4·0.75 = 0.5 over a range of 0.8: AIQ 0.625.
    private static readonly CostAccuracy Weak = new(0.1, 0.3), Middle = new(0.5, 0.7), Strong = new(0.9, 0.8);

    [Fact]
    public void AiqIsTheHullsAreaOverTheCostRange() =>
        Assert.Equal(0.625, Frontier.Aiq([Weak, Middle, Strong], 0.1, 0.9), 9);

    [Fact]
    public void PointsUnderTheHullDoNotChangeAiq() =>
        Assert.Equal(0.625, Frontier.Aiq([Weak, Middle, Strong, new(0.5, 0.4), new(0.3, 0.2), new(0.8, 0.7)], 0.1, 0.9), 9);

    [Fact]
    public void OnePointReachesNothingBelowItsCostAndStaysFlatAbove() =>
        // 0 over [0.1, 0.5), 0.6 over [0.5, 0.9]: 0.24 / 0.8.
        Assert.Equal(0.3, Frontier.Aiq([new(0.5, 0.6)], 0.1, 0.9), 9);

    [Fact]
    public void AFallingPointIsDominatedByAnUnspentBudget()
    {
        // (0.9, 0.5) is worse than (0.5, 0.7): past 0.5 the frontier stays at 0.7. Area 0.4·0.5 + 0.4·0.7 = 0.48.
        Assert.Equal(0.6, Frontier.Aiq([Weak, Middle, new(0.9, 0.5)], 0.1, 0.9), 9);
        Assert.Equal(0.7, Frontier.Value([Weak, Middle, new(0.9, 0.5)], 0.8), 9);
    }

    [Fact]
    public void ApgrIsTheMeanGapRecoveredFromWeakToStrong() =>
        // (0.625 − 0.3) / (0.8 − 0.3).
        Assert.Equal(0.65, Frontier.Apgr([Weak, Middle, Strong], Weak, Strong), 9);

    [Fact]
    public void TheTwoModelsAloneRecoverHalfTheGapOnAverage() =>
        Assert.Equal(0.5, Frontier.Apgr([Weak, Strong], Weak, Strong), 9);

    [Fact]
    public void CptIsTheLeastCostShareThatRecoversTheGap()
    {
        // 50 %: accuracy 0.55, reached at cost 0.35 on the first segment: (0.35 − 0.1) / 0.8.
        Assert.Equal(0.3125, Frontier.Cpt([Weak, Middle, Strong], Weak, Strong, 0.5)!.Value, 9);
        // 80 %: accuracy 0.7, at the middle point's cost 0.5.
        Assert.Equal(0.5, Frontier.Cpt([Weak, Middle, Strong], Weak, Strong, 0.8)!.Value, 9);
        Assert.Equal(1.0, Frontier.Cpt([Weak, Middle, Strong], Weak, Strong, 1.0)!.Value, 9);
    }

    [Fact]
    public void CptIsNullWhenTheFrontierNeverGetsThere() =>
        Assert.Null(Frontier.Cpt([Weak, new(0.5, 0.4)], Weak, Strong, 0.5));

    [Fact]
    public void AnEmptyCostRangeIsRefused() =>
        Assert.Throws<ArgumentException>(() => Frontier.Aiq([Weak], 0.5, 0.5));
}
