using DiSRouter.Core.Evaluation;

namespace DiSRouter.Core.Tests.Evaluation;

public sealed class SelfAssessmentTests
{
    [Fact]
    public void CountsDecisionsAgainstCorrectness()
    {
        // answered+correct, answered+wrong, rejected+would-be-correct, rejected+wrong ×2
        var agent = new AgentResults("a", 0.1, [true, true, false, false, false], [true, false, true, false, false]);
        var sut = SelfAssessment.Of(agent);
        Assert.Equal((1, 1, 1, 2), (sut.TruePositives, sut.FalsePositives, sut.FalseNegatives, sut.TrueNegatives));
        Assert.Equal(5, sut.Items);
        Assert.Equal(0.6, sut.Accuracy, 12);
        Assert.Equal(0.5, sut.Precision, 12);
        Assert.Equal(0.5, sut.Recall, 12);
        Assert.Equal(0.5, sut.F1, 12);
        Assert.Equal(0.4, sut.AnswerRate, 12);
        Assert.Equal(0.4, sut.Capability, 12);
    }

    [Fact]
    public void PerfectSelfKnowledgeScoresOne()
    {
        var sut = SelfAssessment.Of(new AgentResults("a", 0.1, [true, false, true], [true, false, true]));
        Assert.Equal((1.0, 1.0), (sut.Accuracy, sut.F1));
    }

    [Fact]
    public void EmptyDenominatorsGiveZero()
    {
        var neverAnswers = SelfAssessment.Of(new AgentResults("a", 0.1, [false, false], [false, false]));
        Assert.Equal((0.0, 0.0, 0.0, 1.0), (neverAnswers.Precision, neverAnswers.Recall, neverAnswers.F1, neverAnswers.Accuracy));
        var precisionOnly = SelfAssessment.Of(new AgentResults("a", 0.1, [true], [true]));
        Assert.Equal(1.0, precisionOnly.F1);
    }
}
