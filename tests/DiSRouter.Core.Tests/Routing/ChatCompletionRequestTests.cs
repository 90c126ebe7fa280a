using System.Text.Json;
using DiSRouter.Core.Routing;

namespace DiSRouter.Core.Tests.Routing;

public sealed class ChatCompletionRequestTests
{
    [Fact]
    public void StopAcceptsBothOpenAiShapes()
    {
        var one = JsonSerializer.Deserialize<ChatCompletionRequest>("""{"messages": [], "stop": "\n"}""")!;
        var many = JsonSerializer.Deserialize<ChatCompletionRequest>("""{"messages": [], "stop": ["a", "b"]}""")!;
        var none = JsonSerializer.Deserialize<ChatCompletionRequest>("""{"messages": []}""")!;
        Assert.Equal(["\n"], one.StopStrings());
        Assert.Equal(["a", "b"], many.StopStrings());
        Assert.Empty(none.StopStrings());
    }

    [Fact]
    public void UnknownFieldsSurviveForwarding()
    {
        var sut = JsonSerializer.Deserialize<ChatCompletionRequest>(
            """{"model": "m", "messages": [{"role": "user", "content": "hi"}], "alpha": 0.3, "logprobs": true, "max_tokens": 5, "max_completion_tokens": 7}""")!;
        Assert.Equal(0.3, sut.Alpha);
        Assert.Equal(7, sut.TokenLimit);
        var json = JsonSerializer.Serialize(sut);
        Assert.Contains("\"logprobs\":true", json);
        Assert.Equal("hi", JsonSerializer.Deserialize<ChatCompletionRequest>(json)!.Messages[0].Content);
    }
}
