using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks.Grading;

public sealed class TextGraderTests
{
    [Theory]
    [InlineData("Let's think step by step: the capital of Vornia is Telsk. The final answer is: Telsk.", "Telsk")]
    [InlineData("The final answer is: telsk", "Telsk")]
    [InlineData("The final answer is:   TELSK  .", "Telsk")]
    [InlineData("The final answer is: \"Telsk\"!", "Telsk")]
    [InlineData("The final answer is: the grelf.", "grelf")]
    [InlineData("The final answer is: Telsk. That is all.", "Telsk")]
    [InlineData("Answer: Telsk", "Telsk")]
    [InlineData("Telsk", "Telsk")]
    [InlineData("some thoughts\nTelsk.", "Telsk")]
    [InlineData("The final answer is: New  York", "new york")]
    [InlineData("The final answer is: 1,999", "1999")]
    public void MatchesAfterNormalisation(string reply, string reference)
    {
        Assert.True(TextGrader.IsCorrect(reply, reference), $"'{reply}' should match '{reference}'.");
    }

    [Theory]
    [InlineData("The final answer is: Morvo.", "Telsk")]
    [InlineData("The final answer is: Telsk Morvo", "Telsk")]
    [InlineData("the capital of Vornia is Telsk.", "Telsk")]
    [InlineData("", "Telsk")]
    [InlineData("The final answer is: the", "the")]
    public void DifferentTextsDoNotMatch(string reply, string reference)
    {
        Assert.False(TextGrader.IsCorrect(reply, reference));
    }

    [Fact]
    public void NormalizeDropsCasePunctuationArticlesAndSpaces()
    {
        Assert.Equal("capital of vornia", TextGrader.Normalize("  The Capital, of   Vornia! "));
        Assert.Equal("", TextGrader.Normalize(null));
    }
}
