using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class AnswerTemplateTests
{
    [Fact]
    public void FormatWritesTheExactTemplate()
    {
        Assert.Equal("Let's think step by step: 3 plus 4 is 7. The final answer is: 7.", AnswerTemplate.Format("3 plus 4 is 7", "7"));
    }

    [Fact]
    public void ASampleAlreadyInTheTemplateComesBackUnchanged()
    {
        const string sample = "Let's think step by step: 3 plus 4 is 7. The final answer is: 7.";
        Assert.Equal(sample, AnswerTemplate.Normalise(sample, "7"));
    }

    [Fact]
    public void WhitespaceCurlyApostrophesAndTrailingTextAreNormalised()
    {
        const string sample = "Let\u2019s think step by step:\n  3 plus 4\n is 7..  The final answer is:   7.\nanything after";
        Assert.Equal("Let's think step by step: 3 plus 4 is 7. The final answer is: 7.", AnswerTemplate.Normalise(sample, "7"));
    }

    [Fact]
    public void TheGradersExtractedAnswerWinsOverTheTextAfterTheMarker()
    {
        const string sample = "Let's think step by step: Paris is the capital. The final answer is: B) Paris.";
        Assert.Equal("Let's think step by step: Paris is the capital. The final answer is: B.", AnswerTemplate.Normalise(sample, "B"));
    }

    [Fact]
    public void WithoutTheTemplateTheStepsAreTheTextAndTheAnswerIsTheGraders()
    {
        const string sample = "First add 3 and 4 which gives 7";
        Assert.Equal("Let's think step by step: First add 3 and 4 which gives. The final answer is: 7.", AnswerTemplate.Normalise(sample, "7"));
    }

    [Fact]
    public void WithNeitherMarkerNorExtractedAnswerThereIsNothingToTrainOn()
    {
        Assert.Null(AnswerTemplate.Normalise("no idea what to say", null));
    }

    [Fact]
    public void ParseReadsStepsAndAnswerOfALowercaseMarker()
    {
        var (steps, answer) = AnswerTemplate.Parse("x is 2 so 2x is 4; the final answer is 4");
        Assert.Equal("x is 2 so 2x is 4;", steps);
        Assert.Equal("4", answer);
    }

    [Fact]
    public void DecimalAnswersKeepTheirInnerDot()
    {
        Assert.Equal("Let's think step by step: half of 7. The final answer is: 3.5.", AnswerTemplate.Normalise("Let's think step by step: half of 7. The final answer is: 3.5.", null));
    }
}
