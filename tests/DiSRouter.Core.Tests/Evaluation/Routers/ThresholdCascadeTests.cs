using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Core.Tests.Evaluation.Routers;

public class ThresholdCascadeTests
{
    // Two agents (costs 0.1, 0.9). The cheap one is right exactly where its score is 0.8 or more; the dear one always.
    private static readonly double[] CheapScores = [0.9, 0.8, 0.3, 0.2];
    private static readonly bool[] CheapRight = [true, true, false, false];
    private static readonly IReadOnlyList<IReadOnlyList<double>> Scores = [CheapScores, new double[4]];
    private static readonly IReadOnlyList<IReadOnlyList<bool>> Correct = [CheapRight, new[] { true, true, true, true }];
    private static readonly double[] Costs = [0.1, 0.9];

    [Fact]
    public void AnAgentsAnswerIsReturnedWhenItsScoreReachesItsThreshold() =>
        Assert.Equal([0, 0, 1, 1], ThresholdCascade.Route(Scores, [0.8]));

    [Fact]
    public void EveryAgentAskedIsCharged() =>
        Assert.Equal([0.1, 0.1, 1.0, 1.0], ThresholdCascade.Costs([0, 0, 1, 1], Costs));

    [Fact]
    public void TuningFindsTheCutThatSeparatesRightFromWrong()
    {
        // At α = 0.5: stop where right (1 − 0.05), escalate the rest (1 − 0.5): mean 0.725, the best any threshold gives.
        var theta = ThresholdCascade.Tune(Scores, Correct, Costs, 0.5, quantiles: 4);
        Assert.Equal(0.725, ThresholdCascade.Utility(Scores, Correct, Costs, 0.5, theta), 9);
        Assert.Equal([0, 0, 1, 1], ThresholdCascade.Route(Scores, theta));
    }

    [Fact]
    public void WhenEscalatingGainsNothingTheCheapAgentAnswersAll()
    {
        // The dear agent is wrong where the cheap one is: escalating adds its cost and no right answer.
        IReadOnlyList<IReadOnlyList<bool>> correct = [CheapRight, CheapRight];
        var theta = ThresholdCascade.Tune(Scores, correct, Costs, 0.5, quantiles: 4);
        Assert.Equal([0, 0, 0, 0], ThresholdCascade.Route(Scores, theta));
        Assert.Equal(0.45, ThresholdCascade.Utility(Scores, correct, Costs, 0.5, theta), 9);
    }

    [Fact]
    public void OneThresholdPerAgentButTheLastIsRequired() =>
        Assert.Throws<ArgumentException>(() => ThresholdCascade.Route(Scores, [0.5, 0.5]));
}
