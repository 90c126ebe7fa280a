using DiSRouter.Core.Tasks.Grading;
using AnswerTemplate = DiSRouter.Core.Tasks.AnswerTemplate;
using TaskSplit = DiSRouter.Core.Tasks.TaskSplit;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class AnswerTemplateTests
{
    [Fact]
    public void TidyWritesTheExactTemplate()
    {
        Assert.Equal("Let's think step by step: 3 plus 4 is 7. The final answer is: 7.", AnswerTemplate.Tidy("3 plus 4 is 7", "7"));
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
    public void TheSamplesOwnFinalAnswerStaysNotTheGradersReadingOfIt()
    {
        // A multiple-choice sample answered with the option's text; the grader read it as the letter.
        const string sample = "Let's think step by step: 37+4=41. The final answer is: 41.";
        Assert.Equal(sample, AnswerTemplate.Normalise(sample, "D"));
    }

    [Fact]
    public void EveryCorrectMultipleChoiceSampleStaysCorrectAndKeepsItsOptionTextOnceNormalised()
    {
        var items = SelfAwareCli.NanoSuite().Generate("multiple-choice", TaskSplit.Train, 40).ToList();
        foreach (var item in items)
        {
            var sample = item.Target; // the reference reply: the chain and the right option's text
            var graded = Grader.Grade(item, sample);
            Assert.True(graded.Correct, item.Id);
            var target = AnswerTemplate.Normalise(sample, graded.Extracted)!;
            Assert.True(Grader.Grade(item, target).Correct, $"{item.Id}: {target}");
            Assert.EndsWith($"{AnswerTemplate.AnswerMarker} {item.ReplyAnswer ?? item.Answer}.", target);
        }
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
