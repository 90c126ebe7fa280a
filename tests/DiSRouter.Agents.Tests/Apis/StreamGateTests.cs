using DiSRouter.Agents.Apis;

namespace DiSRouter.Agents.Tests.Apis;

public sealed class StreamGateTests
{
    [Fact]
    public void TextIsSentAsItGrows()
    {
        var sut = new StreamGate([]);

        Assert.Equal("ab", sut.Advance("ab"));
        Assert.Equal("", sut.Advance("ab"));
        Assert.Equal("cd", sut.Advance("abcd"));
        Assert.Equal("", sut.Rest("abcd"));
    }

    [Fact]
    public void PossibleStartOfAStopSequenceIsHeldBackUntilItIsDecided()
    {
        var sut = new StreamGate(["\n\n"]);

        Assert.Equal("abc", sut.Advance("abc\n"));
        Assert.Equal("\nx", sut.Advance("abc\nx"));
        Assert.Equal("", sut.Advance("abc\nx\n\nleaked"));
        Assert.Equal("", sut.Rest("abc\nx"));
    }

    [Fact]
    public void HalfACharacterIsHeldBack()
    {
        var sut = new StreamGate([]);

        Assert.Equal("caf", sut.Advance("caf\uFFFD"));
        Assert.Equal("é!", sut.Advance("café!"));
    }
}
