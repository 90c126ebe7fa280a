using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>An OpenAI-compatible chat completion with DiSRouter's routing metadata beside the standard fields.</summary>
public sealed class ChatCompletionResponse
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("choices")] public List<ChatChoice> Choices { get; set; } = [];
    [JsonPropertyName("usage")] public ChatUsage? Usage { get; set; }

    /// <summary>Absent on an agent's raw endpoint; present on every cascade and gateway response.</summary>
    [JsonPropertyName("disrouter")] public RoutingMetadata? DiSRouter { get; set; }
}

public sealed class ChatChoice
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("message")] public ChatMessage Message { get; set; } = new("assistant", "");

    /// <summary>"stop" or "length", as in OpenAI's API.</summary>
    [JsonPropertyName("finish_reason")] public string FinishReason { get; set; } = "stop";
}

public sealed class ChatUsage
{
    [JsonPropertyName("prompt_tokens")] public int PromptTokens { get; set; }
    [JsonPropertyName("completion_tokens")] public int CompletionTokens { get; set; }
    [JsonPropertyName("total_tokens")] public int TotalTokens { get; set; }
}
