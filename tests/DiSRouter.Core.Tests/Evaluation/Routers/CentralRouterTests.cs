using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Core.Tests.Evaluation.Routers;

public class CentralRouterTests
{
    private static readonly NGramFeatures Features = new(1 << 12);

    [Fact]
    public void LogisticRouterSendsApplesToTheCheapAgentAndZebrasToTheDearOne()
    {
        var (queries, correct) = ToyWorld.Training();
        Assert.Equal((0, 1), ToyWorld.Routes(LogisticRouter.Fit(queries, correct, Features)));
    }

    [Fact]
    public void MatrixFactorizationRouterSendsApplesToTheCheapAgentAndZebrasToTheDearOne()
    {
        var (queries, correct) = ToyWorld.Training();
        Assert.Equal((0, 1), ToyWorld.Routes(MatrixFactorizationRouter.Fit(queries, correct, Features)));
    }

    [Fact]
    public void KnnRouterSendsApplesToTheCheapAgentAndZebrasToTheDearOne()
    {
        var (queries, correct) = ToyWorld.Training();
        var sut = KnnRouter.Fit(queries, correct, Features);
        Assert.Contains(sut.K, KnnRouter.KGrid);
        Assert.Equal((0, 1), ToyWorld.Routes(sut));
    }

    [Fact]
    public void KnnPredictionIsTheSmoothedShareRightAmongTheNeighbours()
    {
        var (queries, correct) = ToyWorld.Training();
        // k = 5 nearest of a fresh apple are five apples: the cheap agent right on all, (5 + 1) / (5 + 2).
        var p = KnnRouter.Fit(queries, correct, Features, k: 5).Predict(ToyWorld.Apple(7));
        Assert.Equal(6.0 / 7, p[0], 9);
        Assert.Equal(6.0 / 7, p[1], 9);
    }

    [Fact]
    public void LookupRouterPredictsTheCellsLaplaceSmoothedAccuracy()
    {
        var (queries, correct) = ToyWorld.Training();
        var sut = new LookupRouter(queries, correct);
        // 10 apples of difficulty "1" in the 30: the cheap agent right on all, (10 + 1) / (10 + 2).
        Assert.Equal(11.0 / 12, sut.Predict(ToyWorld.Apple(1))[0], 9);
        Assert.Equal(1.0 / 12, sut.Predict(ToyWorld.Zebra(1))[0], 9);
        // An unseen difficulty falls back to the family: (30 + 1) / (30 + 2).
        Assert.Equal(31.0 / 32, sut.Profile("apple", "9")[0], 9);
        Assert.Equal((0, 1), ToyWorld.Routes(sut));
    }

    [Fact]
    public void SelfRouteStatesTheFamilyAndRoutesByTheRegistry()
    {
        var (queries, correct) = ToyWorld.Training();
        var sut = new SelfRouteRouter(queries, correct, Features);
        Assert.Equal("zebra", sut.State(ToyWorld.Zebra(500).Text).Family);
        Assert.Equal((0, 1), ToyWorld.Routes(sut));
    }

    [Fact]
    public void UtilityChoiceTakesTheHighestPredictedUtilityAndTheCheaperOnATie()
    {
        Assert.Equal(1, UtilityChoice.Pick([0.2, 0.9], ToyWorld.Costs, 0.5));  // 0.15 against 0.45
        Assert.Equal(0, UtilityChoice.Pick([0.2, 0.9], ToyWorld.Costs, 1.0));  // 0.1 against 0.0
        Assert.Equal(0, UtilityChoice.Pick([0.5, 0.5], [0.3, 0.3], 0.5));
    }

    [Fact]
    public void AnswerScorerTellsRightAnswersFromWrongOnes()
    {
        var inputs = Enumerable.Range(0, 60).Select(i => new AnswerScorer.Input($"question {i}", i % 2 == 0 ? $"steps. The final answer is: {i}." : "steps. The final answer is: none.",
            i % 2 == 0 ? -0.01 : -1.5, 20)).ToList();
        var correct = inputs.Select((_, i) => i % 2 == 0).ToList();
        var sut = AnswerScorer.Fit(inputs, correct, Features);
        Assert.True(sut.Score(new("question 99", "steps. The final answer is: 99.", -0.01, 20)) > 0.5);
        Assert.True(sut.Score(new("question 99", "steps. The final answer is: none.", -1.5, 20)) < 0.5);
        var outOfFold = AnswerScorer.OutOfFold(inputs, correct, Features);
        Assert.True(outOfFold.Where((_, i) => i % 2 == 0).Min() > outOfFold.Where((_, i) => i % 2 == 1).Max());
    }
}
