using DiSRouter.Training.Evaluation;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary>
/// A hand-made three-agent world (costs 0.1, 0.4, 0.9) with three kinds of query, 10 of each, where the right cuts are
/// known. Easy: the cheap agent is right, and sure (its gap 2). Middle: only the middle and dear agents are right; the
/// cheap agent is unsure (gap 0), the middle one sure (gap 1). Hopeless: nobody is right; the cheap agent is sure it
/// cannot (gap −2), the middle one too (gap −1). At α = 0.5 the best cascade answers easy queries at the cheap agent,
/// middle ones at the middle agent, and hopeless ones at the cheap agent (cheapest, since nobody is right): utility
/// (10·0.95 + 10·0.8 + 10·(−0.05)) / 30 = 0.5667. One-sided cuts cannot stop a hopeless query at the cheap agent
/// without stopping middle ones too; their best sends it to the middle agent: (10·0.95 + 10·0.8 + 10·(−0.2)) / 30 = 0.5167.
/// </summary>
public class NetworkThresholdsTests
{
    private const double Alpha = 0.5;
    private static readonly double[] Costs = [0.1, 0.4, 0.9];

    private static (List<IReadOnlyList<double>> Scores, List<IReadOnlyList<bool>> Correct) World()
    {
        var kinds = Enumerable.Range(0, 30).Select(i => i % 3).ToArray(); // 0 easy, 1 middle, 2 hopeless
        double[] cheap = [2, 0, -2], middle = [3, 1, -1];
        var scores = new List<IReadOnlyList<double>>
        {
            kinds.Select(k => cheap[k]).ToArray(),
            kinds.Select(k => middle[k]).ToArray(),
            new double[30],
        };
        var correct = new List<IReadOnlyList<bool>>
        {
            kinds.Select(k => k == 0).ToArray(),
            kinds.Select(k => k < 2).ToArray(),
            kinds.Select(k => k < 2).ToArray(),
        };
        return (scores, correct);
    }

    // Each agent's own cut: the cheap one answers only when sure (gap ≥ 1), the middle one too (≥ 0.5): hopeless queries reach the dear agent.
    private static readonly NetworkCuts Own = NetworkCuts.OneSided([1, 0.5]);

    [Fact]
    public void OwnCutsSendHopelessQueriesToTheDearestAgent()
    {
        var (scores, correct) = World();
        var routed = NetworkThresholds.Route(scores, Own);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => new[] { 0, 1, 2 }[i % 3]), routed);
        Assert.Equal((10 * 0.95 + 10 * 0.8 + 10 * -0.45) / 30, NetworkThresholds.Utility(scores, correct, Costs, Alpha, Own), 9);
    }

    [Fact]
    public void OneSidedTuningLetsTheMiddleAgentAnswerTheHopelessQueries()
    {
        var (scores, correct) = World();
        var cuts = NetworkThresholds.Tune(scores, correct, Costs, Alpha, Own, twoSided: false);
        Assert.Equal((10 * 0.95 + 10 * 0.8 + 10 * -0.2) / 30, NetworkThresholds.Utility(scores, correct, Costs, Alpha, cuts), 9);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? 0 : 1), NetworkThresholds.Route(scores, cuts));
        Assert.All(cuts.Low, l => Assert.Equal(double.NegativeInfinity, l));
    }

    [Fact]
    public void TwoSidedTuningAnswersHopelessQueriesAtTheCheapestAgentAsTheOracleWould()
    {
        var (scores, correct) = World();
        var cuts = NetworkThresholds.Tune(scores, correct, Costs, Alpha, Own, twoSided: true);
        Assert.Equal((10 * 0.95 + 10 * 0.8 + 10 * -0.05) / 30, NetworkThresholds.Utility(scores, correct, Costs, Alpha, cuts), 9);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i % 3 == 1 ? 1 : 0), NetworkThresholds.Route(scores, cuts));
        // The cheap agent's low cut lies between the hopeless gap (−2) and the middle one (0); its answer cut above 0.
        Assert.InRange(cuts.Low[0], -2 + 1e-9, 0);
        Assert.InRange(cuts.Answer[0], 1e-9, 2);
    }

    [Fact]
    public void WithNothingToGainTheOwnCutsStand()
    {
        // α = 0: cost is free, so sending everything to the dear agent (right on easy and middle ones) is as good as any routing.
        var (scores, correct) = World();
        var cuts = NetworkThresholds.Tune(scores, correct, Costs, 0, NetworkCuts.OneSided([double.PositiveInfinity, double.PositiveInfinity]), twoSided: true);
        Assert.Equal([double.PositiveInfinity, double.PositiveInfinity], cuts.Answer);
        Assert.All(cuts.Low, l => Assert.Equal(double.NegativeInfinity, l));
    }

    [Fact]
    public void CutsForTheWrongNumberOfAgentsAreRejected()
    {
        var (scores, _) = World();
        Assert.Throws<ArgumentException>(() => NetworkThresholds.Route(scores, NetworkCuts.OneSided([1])));
    }
}
