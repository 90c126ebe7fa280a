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

    [Fact]
    public void WatchDecidingAfterOneCharacterStopsAtTheFirstToken()
    {
        var sut = new RejectionWatch(decideAfter: 1);

        Assert.False(sut.ShouldContinue(0, "I"));
        Assert.True(sut.SawRejection);
        Assert.True(new RejectionWatch(decideAfter: 1).ShouldContinue(0, "Let's"));
    }

    [Fact]
    public void WatchStopsAtTheRejectionPhrase()
    {
        var sut = new RejectionWatch();
        var reply = "I don't know! more text";

        var stoppedAt = Enumerable.Range(1, reply.Length).First(n => !sut.ShouldContinue(0, reply[..n]));

        Assert.Equal("I don't know".Length, stoppedAt);
        Assert.True(sut.SawRejection);
    }

    [Fact]
    public void WatchStopsCheckingOnceTheReplyLeftTheRejectionPrefix()
    {
        var sut = new RejectionWatch();

        Assert.True(sut.ShouldContinue(0, "I d"));
        Assert.True(sut.ShouldContinue(0, "I did"));
        // Decided: even a later text that reads like a rejection does not stop the answer.
        Assert.True(sut.ShouldContinue(0, "I don't know"));
        Assert.False(sut.SawRejection);
    }
}
