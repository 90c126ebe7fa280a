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
