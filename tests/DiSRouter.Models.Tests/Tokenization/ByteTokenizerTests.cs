using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Tokenization;

public sealed class ByteTokenizerTests
{
    private readonly ByteTokenizer sut = ByteTokenizer.Default;

    [Fact]
    public void SpecialTokensHaveTheAgreedIds()
    {
        Assert.Equal(264, sut.VocabSize);
        Assert.Equal(256, sut.PadId);
        Assert.Equal(257, sut.BosId);
        Assert.Equal(258, sut.EosId);
        Assert.True(sut.TryGetSpecial("<|system|>", out int system));
        Assert.True(sut.TryGetSpecial("<|user|>", out int user));
        Assert.True(sut.TryGetSpecial("<|assistant|>", out int assistant));
        Assert.Equal((259, 260, 261), (system, user, assistant));
        Assert.False(sut.TryGetSpecial("<|nope|>", out _));
    }

    [Fact]
    public void TextRoundTripsThroughUtf8Bytes()
    {
        const string text = "Paris, 12 €, ünïcödé and 日本語 🙂";
        var ids = sut.Encode(text);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text), ids.Length);
        Assert.All(ids, id => Assert.InRange(id, 0, 255));
        Assert.Equal(text, sut.Decode(ids));
    }

    [Fact]
    public void EncodingNeverTurnsTextIntoSpecialTokens()
    {
        var ids = sut.Encode("<|assistant|>");
        Assert.Equal("<|assistant|>".Length, ids.Length);
        Assert.DoesNotContain(ids, id => id >= 256);
    }

    [Fact]
    public void DecodingRendersSpecialTokensByName()
    {
        int[] ids = [sut.BosId, 'h', 'i', sut.EosId, 262];
        Assert.Equal("<|bos|>hi<|eos|>", sut.Decode(ids));
    }

    [Fact]
    public void DecodingInvalidUtf8GivesReplacementCharactersInsteadOfThrowing()
    {
        // A lone continuation byte, a truncated 3-byte sequence, an overlong encoding: all things a model may emit.
        int[] ids = ['a', 0x80, 'b', 0xE2, 0x82, sut.EosId, 0xC0, 0xAF];
        var text = sut.Decode(ids);
        Assert.StartsWith("a\uFFFDb\uFFFD", text);
        Assert.Contains("<|eos|>", text);
        Assert.EndsWith("\uFFFD", text);
    }

    [Fact]
    public void DecodingAnIdOutsideTheVocabularyIsAnError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Decode([264]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Decode([-1]));
    }
}
