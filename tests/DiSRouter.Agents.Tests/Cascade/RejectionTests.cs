using DiSRouter.Agents.Cascade;

namespace DiSRouter.Agents.Tests.Cascade;

public sealed class RejectionTests
{
    [Theory]
    [InlineData("", "Undecided")]
    [InlineData("I", "Undecided")]
    [InlineData("  I don", "Undecided")]
    [InlineData("I don't kno", "Undecided")]
    [InlineData("I don’t kn", "Undecided")]
    [InlineData("I don't know", "Rejected")]
    [InlineData("I don't know!", "Rejected")]
    [InlineData("i DON'T know.", "Rejected")]
    [InlineData("\nI don’t know!", "Rejected")]
    [InlineData("I think", "Answering")]
    [InlineData("Let's think step by step", "Answering")]
    [InlineData("It is 42. I don't know more.", "Answering")]
    public void ReplyIsClassifiedFromItsFirstCharacters(string text, string expected)
    {
        Assert.Equal(Enum.Parse<RejectionState>(expected), Rejection.Classify(text));
    }

    [Theory]
    [InlineData("", 1, "Undecided")]
    [InlineData("I", 1, "Rejected")]
    [InlineData(" i", 1, "Rejected")]
    [InlineData("L", 1, "Answering")]
    [InlineData("I", 3, "Undecided")]
    [InlineData("I d", 3, "Rejected")]
    [InlineData("It", 1, "Answering")]
    public void ReplyIsRejectedAfterAsManyCharactersOfThePhraseAsDecide(string text, int decideAfter, string expected)
    {
        Assert.Equal(Enum.Parse<RejectionState>(expected), Rejection.Classify(text, decideAfter));
    }
}
