using DiSRouter.Models.Tokenization;

namespace DiSRouter.Models.Tests.Tokenization;

public sealed class ChatFormatTests
{
    private readonly ByteTokenizer tokenizer = ByteTokenizer.Default;

    [Fact]
    public void PromptIsBosSystemUserThenAssistantMarker()
    {
        var sut = ChatFormat.EncodePrompt(tokenizer, "be brief", "2+2?");
        Assert.Equal("<|bos|><|system|>be brief<|user|>2+2?<|assistant|>", tokenizer.Decode(sut));
        Assert.Equal(257, sut[0]);
        Assert.Equal(261, sut[^1]);
    }

    [Fact]
    public void NullSystemPromptLeavesOutTheSystemSegment()
    {
        var sut = ChatFormat.EncodePrompt(tokenizer, null, "hi");
        Assert.Equal("<|bos|><|user|>hi<|assistant|>", tokenizer.Decode(sut));
        Assert.Equal("<|bos|><|system|><|user|>hi<|assistant|>", tokenizer.Decode(ChatFormat.EncodePrompt(tokenizer, "", "hi")));
    }

    [Fact]
    public void ExampleMasksOnlyTheAnswerAndItsEos()
    {
        var prompt = ChatFormat.EncodePrompt(tokenizer, "s", "q");
        var (tokens, mask) = ChatFormat.EncodeExample(tokenizer, "s", "q", "ans");
        Assert.Equal(prompt.Length + 3 + 1, tokens.Length);
        Assert.Equal(tokens.Length, mask.Length);
        Assert.Equal(prompt, tokens[..prompt.Length]);
        Assert.Equal(tokenizer.EosId, tokens[^1]);
        Assert.All(mask[..prompt.Length], m => Assert.Equal(0f, m));
        Assert.All(mask[prompt.Length..], m => Assert.Equal(1f, m));
        Assert.Equal("ans<|eos|>", tokenizer.Decode(tokens.AsSpan(prompt.Length)));
    }
}
