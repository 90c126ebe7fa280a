using DiSRouter.Core.Tasks.Grading;

namespace DiSRouter.Core.Tests.Tasks.Grading;

public sealed class NumericGraderTests
{
    [Theory]
    [InlineData("Let's think step by step: 3+4=7. The final answer is: 7.", "7")]
    [InlineData("The final answer is: 1,234.", "1234")]
    [InlineData("The final answer is: +5", "5")]
    [InlineData("The final answer is: 007.", "7")]
    [InlineData("The final answer is: 12.0", "12")]
    [InlineData("The final answer is: 12", "12.00")]
    [InlineData("The final answer is: $12.", "12")]
    [InlineData("The final answer is: 12 apples.", "12")]
    [InlineData("The final answer is: 12+2=14.", "14")]
    [InlineData("The final answer is: −3.", "-3")]
    [InlineData("The final answer is: -3", "-3")]
    [InlineData("the final answer is: 50%", "50")]
    [InlineData("The final answer is: 7. Extra: 99 and 100.", "7")]
    [InlineData("3+4=7, so 7", "7")]
    [InlineData("We add 3 and 4 and get 7.", "7")]
    [InlineData("Answer: 7", "7")]
    [InlineData("7", "7")]
    [InlineData("  7  ", "7")]
    [InlineData("The total is 1,000,000.", "1000000")]
    public void AcceptsEquivalentSpellings(string reply, string reference)
    {
        Assert.True(NumericGrader.IsCorrect(reply, reference), $"'{reply}' should read as {reference} (read {NumericGrader.Extract(reply)}).");
    }

    [Theory]
    [InlineData("The final answer is: 8.", "7")]
    [InlineData("The final answer is: seven.", "7")]
    [InlineData("The final answer is: 77.", "7")]
    [InlineData("The final answer is: 7.5", "7")]
    [InlineData("The final answer is: -7", "7")]
    [InlineData("", "7")]
    [InlineData("I have no idea", "7")]
    [InlineData("The final answer is: 7b", "7")]
    [InlineData("The final answer is: 12. Because 3+4=7", "7")]
    public void RejectsWrongOrMissingNumbers(string reply, string reference)
    {
        Assert.False(NumericGrader.IsCorrect(reply, reference));
    }

    [Theory]
    [InlineData("12", true)]
    [InlineData("-3", true)]
    [InlineData("1,234", true)]
    [InlineData("12.5", true)]
    [InlineData("$12", true)]
    [InlineData(" 7 ", true)]
    [InlineData("1999", true)]
    [InlineData("3 apples", false)]
    [InlineData("Telsk", false)]
    [InlineData("1,2,3", false)]
    [InlineData("", false)]
    public void IsNumberDecidesTheGrader(string text, bool expected)
    {
        Assert.Equal(expected, NumericGrader.IsNumber(text));
    }

    [Fact]
    public void ANonNumericReferenceIsAnError()
    {
        Assert.Throws<ArgumentException>(() => NumericGrader.IsCorrect("7", "seven"));
    }
}
