using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks.Grading;

public sealed class AnswerExtractionTests
{
    [Theory]
    [InlineData("Let's think step by step: 3+4=7. The final answer is: 7.", "7")]
    [InlineData("The final answer is: Telsk. I hope this helps!", "Telsk")]
    [InlineData("the FINAL ANSWER IS:   telsk  ", "telsk")]
    [InlineData("Final answer: 12.5.", "12.5")]
    [InlineData("The final answer is 42", "42")]
    [InlineData("**Final Answer:** 42", "42")]
    [InlineData("The final answer is: \"Telsk\".", "Telsk")]
    [InlineData("The final answer is: $\\boxed{14}$.", "14")]
    [InlineData("The final answer is:\n42\nThanks", "42")]
    [InlineData("final answer is: 3. Later the final answer is: 5.", "5")]
    [InlineData("The final answer is: 1,234.50.", "1,234.50")]
    [InlineData("The final answer is: (B) Telsk.", "(B) Telsk")]
    public void FinalAnswerSpanReadsTheTemplate(string reply, string expected)
    {
        Assert.Equal(expected, AnswerExtraction.FinalAnswerSpan(reply));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("7")]
    [InlineData("The final answer is: .")]
    public void FinalAnswerSpanIsNullWithoutAnAnswer(string? reply)
    {
        Assert.Null(AnswerExtraction.FinalAnswerSpan(reply));
    }

    [Fact]
    public void AnswerLineAndLastLineAreFallbacks()
    {
        Assert.Equal("Telsk", AnswerExtraction.AnswerLine("Reasoning here.\nAnswer: Telsk."));
        Assert.Null(AnswerExtraction.AnswerLine("no line"));
        Assert.Equal("Telsk", AnswerExtraction.LastLine("blah\n\nTelsk.\n\n"));
        Assert.Null(AnswerExtraction.LastLine("   "));
    }
}
