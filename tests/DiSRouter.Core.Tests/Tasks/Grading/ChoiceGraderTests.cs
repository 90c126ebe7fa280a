using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks.Grading;

public sealed class ChoiceGraderTests
{
    private static readonly string[] Choices = ["Morvo", "Telsk", "Quen", "Pald"];

    [Theory]
    [InlineData("Let's think step by step: the capital of Vornia is Telsk, option B. The final answer is: B.")]
    [InlineData("The final answer is: B")]
    [InlineData("The final answer is: (B).")]
    [InlineData("The final answer is: B)")]
    [InlineData("The final answer is: b")]
    [InlineData("The final answer is: Option B.")]
    [InlineData("The final answer is: option (b)")]
    [InlineData("The final answer is: B) Telsk")]
    [InlineData("The final answer is: (B) Telsk.")]
    [InlineData("The final answer is: B. Telsk")]
    [InlineData("The final answer is: Telsk.")]
    [InlineData("The final answer is: telsk")]
    [InlineData("The final answer is: the capital is Telsk.")]
    [InlineData("The final answer is:   B  ")]
    [InlineData("I think the answer is B.")]
    [InlineData("Looking at the options, (B) fits.")]
    [InlineData("Answer: B")]
    [InlineData("B")]
    [InlineData("Telsk")]
    [InlineData("A is wrong because Morvo is elsewhere; B is right.")]
    public void ReadsTheOptionByLetterOrText(string reply)
    {
        Assert.True(ChoiceGrader.IsCorrect(reply, Choices, "B"), $"'{reply}' should pick B (read {ChoiceGrader.Extract(reply, Choices)}).");
    }

    [Theory]
    [InlineData("The final answer is: A.")]
    [InlineData("The final answer is: Morvo")]
    [InlineData("The final answer is: E")]
    [InlineData("The final answer is: Vornia")]
    [InlineData("The final answer is: Telsk or Quen")]
    [InlineData("")]
    [InlineData("no idea at all")]
    [InlineData("The final answer is: B or C")]
    public void WrongOrUnclearPicksAreNotCorrect(string reply)
    {
        Assert.False(ChoiceGrader.IsCorrect(reply, Choices, "B"));
    }

    [Fact]
    public void LetterBeatsTextWhenBothAreGiven()
    {
        Assert.Equal(2, ChoiceGrader.Extract("The final answer is: C) Telsk", Choices));
    }

    [Theory]
    [InlineData("B", 4, 1)]
    [InlineData("(d)", 4, 3)]
    [InlineData("E", 4, -1)]
    [InlineData("E", 5, 4)]
    [InlineData("BB", 4, -1)]
    [InlineData(null, 4, -1)]
    public void LetterIndexHonoursTheNumberOfOptions(string? letter, int count, int expected)
    {
        Assert.Equal(expected, ChoiceGrader.LetterIndex(letter, count));
    }

    [Fact]
    public void AReferenceThatIsNoOptionIsAnError()
    {
        Assert.Throws<ArgumentException>(() => ChoiceGrader.IsCorrect("B", Choices, "F"));
    }
}
