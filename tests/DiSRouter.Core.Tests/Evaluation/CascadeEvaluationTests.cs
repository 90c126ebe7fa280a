using DiSRouter.Core.Evaluation;

namespace DiSRouter.Core.Tests.Evaluation;

public sealed class CascadeEvaluationTests
{
    // Three agents, four items. Columns are items 0..3.
    //   small  (0.1): answers [T, F, F, T], correct [T, F, F, F]
    //   medium (0.4): answers [T, T, F, F], correct [T, T, F, F]
    //   large  (0.9): answers [F, F, F, F], correct [T, T, T, F]   (the last always answers: its decisions are ignored)
    private static readonly AgentResults[] Agents =
    [
        new("small", 0.1, [true, false, false, true], [true, false, false, false]),
        new("medium", 0.4, [true, true, false, false], [true, true, false, false]),
        new("large", 0.9, [false, false, false, false], [true, true, true, false]),
    ];

    [Fact]
    public void CascadeRoutesToTheFirstAgentThatAnswers()
    {
        var sut = CascadeEvaluation.Cascade(Agents, alpha: 0.5);
        Assert.Equal(new[] { 0, 1, 2, 0 }, sut.RoutedTo);
        Assert.Equal(new[] { 2, 1, 1 }, sut.RoutedCounts);
        Assert.Equal(new[] { 0.5, 0.25, 0.25 }, sut.RoutingShare);
        Assert.Equal(0.75, sut.Accuracy, 12);                     // items 0, 1, 2 right; item 3 answered wrongly by small
        Assert.Equal((0.1 + 0.4 + 0.9 + 0.1) / 4, sut.Cost, 12);  // 0.375
        Assert.Equal(0.75 - 0.5 * 0.375, sut.Utility, 12);
        Assert.Equal(CascadeEvaluation.DiSRouterMethod, sut.Method);
    }

    [Fact]
    public void SmallestAndLargestSendEverythingToOneEnd()
    {
        var smallest = CascadeEvaluation.Smallest(Agents, 0.2);
        Assert.Equal((0.25, 0.1), (smallest.Accuracy, smallest.Cost));
        Assert.Equal(0.25 - 0.2 * 0.1, smallest.Utility, 12);
        var largest = CascadeEvaluation.Largest(Agents, 0.8);
        Assert.Equal((0.75, 0.9), (largest.Accuracy, largest.Cost));
        Assert.Equal(new[] { 0, 0, 4 }, largest.RoutedCounts);
    }

    [Fact]
    public void OracleTakesTheCheapestCorrectAgentAndTheLargestWhenNoneIsCorrect()
    {
        var sut = CascadeEvaluation.Oracle(Agents, 0.5);
        Assert.Equal(new[] { 0, 1, 2, 2 }, sut.RoutedTo);           // item 3: nobody is right → the largest by convention
        Assert.Equal(0.75, sut.Accuracy, 12);
        Assert.Equal((0.1 + 0.4 + 0.9 + 0.9) / 4, sut.Cost, 12);

        var cheap = CascadeEvaluation.Oracle(Agents, 0.5, OracleFallback.Smallest);
        Assert.Equal(new[] { 0, 1, 2, 0 }, cheap.RoutedTo);
        Assert.Equal((0.1 + 0.4 + 0.9 + 0.1) / 4, cheap.Cost, 12);
        Assert.True(cheap.Utility > sut.Utility);
    }

    [Fact]
    public void RandomIsSeededAndUniform()
    {
        var many = Enumerable.Range(0, 3).Select(k => new AgentResults($"a{k}", k * 0.3, Enumerable.Repeat(true, 3000).ToList(),
            Enumerable.Repeat(k == 2, 3000).ToList())).ToList();
        var sut = CascadeEvaluation.Random(many, 0.5, seed: 7);
        Assert.Equal(sut.RoutedTo, CascadeEvaluation.Random(many, 0.5, seed: 7).RoutedTo);
        Assert.NotEqual(sut.RoutedTo, CascadeEvaluation.Random(many, 0.5, seed: 8).RoutedTo);
        Assert.All(sut.RoutingShare, share => Assert.InRange(share, 0.30, 0.37));
        // Accuracy is the share routed to the only correct agent; cost the mean of the drawn costs.
        Assert.Equal(sut.RoutingShare[2], sut.Accuracy, 12);
        Assert.Equal(sut.RoutingShare[1] * 0.3 + sut.RoutingShare[2] * 0.6, sut.Cost, 9);
    }

    [Fact]
    public void WithBaselinesListsEveryMethodOnTheSameItems()
    {
        var sut = CascadeEvaluation.WithBaselines(Agents, 0.5);
        Assert.Equal(["disrouter", "oracle", "smallest", "largest", "random"], sut.Select(o => o.Method));
        Assert.All(sut, o => Assert.Equal(4, o.Items));
        Assert.Equal(sut.Max(o => o.Accuracy), sut.Single(o => o.Method == "oracle").Accuracy);
    }

    [Fact]
    public void SingleAgentAlwaysAnswers()
    {
        var sut = CascadeEvaluation.Cascade([new AgentResults("only", 0.5, [false, false], [true, false])], 0.5);
        Assert.Equal(0.5, sut.Accuracy);
        Assert.Equal(0.5, sut.Cost);
    }

    [Fact]
    public void SubsetSelectsItems()
    {
        var sut = Agents[0].Subset([3, 0]);
        Assert.Equal(new[] { true, true }, sut.Answered);
        Assert.Equal(new[] { false, true }, sut.Correct);
    }

    [Fact]
    public void BadInputsAreRejectedWithReasons()
    {
        Assert.Throws<ArgumentException>(() => CascadeEvaluation.Cascade([], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CascadeEvaluation.Cascade(Agents, 1.5));
        Assert.Contains("cascade order", Assert.Throws<ArgumentException>(() => CascadeEvaluation.Cascade([Agents[2], Agents[0]], 0.5)).Message);
        var ragged = new AgentResults("ragged", 0.95, [true], [true]);
        Assert.Throws<ArgumentException>(() => CascadeEvaluation.Cascade([.. Agents, ragged], 0.5));
        Assert.Throws<ArgumentException>(() => CascadeEvaluation.Cascade([new AgentResults("empty", 0.1, [], [])], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CascadeEvaluation.Route("x", Agents, 0.5, [0, 1, 2, 3]));
    }
}
