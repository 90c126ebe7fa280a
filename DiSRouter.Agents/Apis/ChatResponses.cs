using DiSRouter.Agents.Backends;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Apis;

/// <summary>Builds OpenAI-shaped completions from a backend's generation.</summary>
internal static class ChatResponses
{
    public static ChatCompletionResponse Completion(string model, ChatGeneration generation) => new()
    {
        Id = NewId(),
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        Model = model,
        Choices = generation.Samples.Select((s, i) => new ChatChoice
        {
            Index = i,
            Message = new ChatMessage("assistant", s.Text),
            FinishReason = OpenAiFinishReason(s.FinishReason),
        }).ToList(),
        Usage = Usage(generation),
    };

    public static ChatUsage Usage(ChatGeneration generation) => new()
    {
        PromptTokens = generation.PromptTokens,
        CompletionTokens = generation.CompletionTokens,
        TotalTokens = generation.PromptTokens + generation.CompletionTokens,
    };

    /// <summary>OpenAI knows "stop" and "length"; a reply stopped on purpose ended where the agent wanted it to.</summary>
    public static string OpenAiFinishReason(string reason) => reason == FinishReasons.Length ? FinishReasons.Length : FinishReasons.Stop;

    public static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");
}
