using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.Evaluation;

/// <summary>
/// The diagnosis on four hand-made queries and three agents (a 0.1, b 0.5, c 1.0; c last) at α = 0.5, every figure
/// worked out by hand. Agent a: q0 answers right, q1 answers wrong, q2 declines a right answer, q3 declines a wrong one;
/// b answers q2 right and q3 wrong. The router always predicts a right (so it always picks a; a's base model is right
/// on q0 and q1 only).
/// </summary>
public sealed class SelfAwareDiagnosisTests
{
    private sealed class AlwaysA : ICorrectnessModel
    {
        public double[] Predict(RoutedQuery query) => [1, 0, 0];
    }

    private static readonly TrainingQuery[] Queries =
    [
        new("q0", "math", "easy", null, "1+1?", "2"),
        new("q1", "math", "easy", null, "2+2?", "4"),
        new("q2", "code", "hard", null, "x?", "y"),
        new("q3", "code", "hard", null, "z?", "w"),
    ];

    private static AgentMeasurements Agent(string name, double cost, bool[] baseCorrect, (double Gap, bool Answers, bool Correct)[] decisions) =>
        new(name, cost,
            baseCorrect.Select((c, i) => new MeasuredReply(Queries[i].Id, c, -1, 10, 5, 1, "")).ToArray(),
            [],
            new Dictionary<double, MeasuredDecision[]>
            {
                [0.5] = decisions.Select((d, i) => new MeasuredDecision(Queries[i].Id, 0.5, d.Gap, d.Answers, 10, 1, true, d.Correct, 5, 1)).ToArray(),
            },
            new Dictionary<double, MeasuredDecision[]>(), null, null);

    private static DiagnosisResult Diagnose()
    {
        var set = new SetMeasurements(new QuerySet("test", Queries),
        [
            Agent("a", 0.1, [true, true, false, false], [(2, true, true), (1, true, false), (-1, false, true), (-2, false, false)]),
            Agent("b", 0.5, [true, true, true, false], [(1, true, true), (1, true, true), (1, true, true), (1, true, false)]),
            Agent("c", 1.0, [true, true, true, true], [(1, true, true), (1, true, true), (1, true, true), (1, true, true)]),
        ]);
        return SelfAwareDiagnosis.Run(set, set, [0.5], routers: (new AlwaysA(), new AlwaysA()));
    }

    [Fact]
    public void CellsCountAnswersAgainstTheAgentsOwnCorrectness()
    {
        var r = Diagnose();
        Assert.DoesNotContain(r.Cells, c => c.Agent == "c"); // the last agent always answers: no decision to judge
        var easy = r.Cells.Single(c => c.Agent == "a" && c.Family == "math");
        Assert.Equal((2, 0.5, 1.0, 1.0, 0.5, 0.0, 1.0), (easy.Count, easy.OwnCorrect, easy.BaseCorrect, easy.AnswerRate[0], easy.AnsweredWrong[0], easy.RejectedRight[0], easy.Mf));
        var hard = r.Cells.Single(c => c.Agent == "a" && c.Family == "code");
        Assert.Equal((0.5, 0.0, 0.0, 0.0, 0.5), (hard.OwnCorrect, hard.BaseCorrect, hard.AnswerRate[0], hard.AnsweredWrong[0], hard.RejectedRight[0]));
    }

    [Fact]
    public void AgentRowsRankTheGapAgainstOwnCorrectnessAndFindTheBestThreshold()
    {
        var a = Diagnose().Agents.Single(x => x.Agent == "a");
        Assert.Equal(0.75, a.GapAuc[0], 12);     // positives {2, −1} over negatives {1, −2}: 3 of 4 pairs
        Assert.Equal(0.5, a.Disagreement[0], 12); // q1 and q2
        Assert.Equal(0.25, a.BestDisagreement[0], 12); // answering only q0 misses q2 alone
        Assert.Equal(0.5, a.MfAuc, 12);           // a constant prediction ranks nothing
    }

    [Fact]
    public void FirstMisjudgementsShareOutTheWholeUtilityGapToTheRouter()
    {
        var r = Diagnose();
        // U(mf): a on every query (0.95, 0.95, −0.05, −0.05); U(cascade): q0 a 0.95, q1 a −0.05, q2 b 0.75, q3 b −0.25.
        Assert.Equal(0.1, r.Blame.Sum(b => b.UtilityGap), 12);
        Assert.Equal(0.25, r.Blame.Single(b => b.Agent == "a" && b.Kind == "answered wrong").UtilityGap, 12);
        Assert.Equal(-0.2, r.Blame.Single(b => b.Agent == "a" && b.Kind == "rejected right").UtilityGap, 12);
        Assert.Equal(0.05, r.Blame.Single(b => b.Agent == "b" && b.Kind == "answered wrong").UtilityGap, 12);
        Assert.Equal(0.25, r.Blame.Single(b => b.Kind == "no misjudgement").Share, 12);
        Assert.Equal(0.1, r.Gaps.Sum(g => g.Gap), 12);
        Assert.Equal(-0.15, r.Gaps.Single(g => g.Family == "code").Gap, 12); // code: (−0.8 + 0.2) over all 4 queries
    }

    [Fact]
    public void RegeneratingTheDocumentKeepsTheHandWrittenReading()
    {
        var r = Diagnose();
        var first = DiagnosisMarkdown.Write(r, "cmd", null);
        Assert.Contains("| a | math | easy | 2 | 50 | 100 |", first);
        var edited = first + "\n## Reading\n\nThe smallest agent answers too much.\n";
        var second = DiagnosisMarkdown.Write(r, "cmd", edited);
        Assert.EndsWith("## Reading\n\nThe smallest agent answers too much.\n", second.ReplaceLineEndings("\n"));
        Assert.Equal(2, second.Split(DiagnosisMarkdown.KeepBelow).Length); // the marker once, not repeated
    }
}
