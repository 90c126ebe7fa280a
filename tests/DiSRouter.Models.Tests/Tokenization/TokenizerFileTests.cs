using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Tokenization;

public sealed class TokenizerFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("tokfile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ByteTokenizerRoundTripsThroughTokenizerJson()
    {
        var path = Path.Combine(dir, "tokenizer.json");
        TokenizerFile.Write(path, ByteTokenizer.Default);
        var sut = TokenizerFile.Read(path);
        Assert.IsType<ByteTokenizer>(sut);
        Assert.Equal((264, 257, 258, 256), (sut.VocabSize, sut.BosId, sut.EosId, sut.PadId));
        Assert.True(sut.TryGetSpecial("<|assistant|>", out int a));
        Assert.Equal(261, a);
        Assert.Contains("\"type\": \"byte\"", File.ReadAllText(path));
    }

    [Fact]
    public void UnknownTokenizerTypeGivesAnErrorNamingTheFileAndTheType()
    {
        var path = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(path, """{"version": "1.0", "model": {"type": "BPE", "vocab": {}, "merges": []}}""");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("BPE", e.Message);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"type": "byte", "special_tokens": {}}""")]
    [InlineData("""{"type": "byte", "vocab_size": 264, "special_tokens": {"<|bos|>": 257}}""")]
    [InlineData("""{"type": "byte", "vocab_size": 264, "special_tokens": {"<|pad|>": 256, "<|bos|>": 400, "<|eos|>": 258}}""")]
    public void MalformedTokenizerJsonGivesAnErrorNamingTheFile(string content)
    {
        var path = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerFile.Read(path));
        Assert.Contains(path, e.Message);
    }
}
