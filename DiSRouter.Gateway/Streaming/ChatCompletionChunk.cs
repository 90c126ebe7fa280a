using System.Text.Json.Serialization;
using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Streaming;

/// <summary>One server-sent event of OpenAI's streaming format ("object": "chat.completion.chunk").</summary>
internal sealed class ChatCompletionChunk
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("choices")] public List<ChunkChoice> Choices { get; set; } = [];

    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatUsage? Usage { get; set; }

    /// <summary>Only on the last chunk before [DONE], when the whole path is known.</summary>
    [JsonPropertyName("disrouter"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RoutingMetadata? DiSRouter { get; set; }
}

internal sealed class ChunkChoice
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("delta")] public ChunkDelta Delta { get; set; } = new();

    /// <summary>null until the choice's last chunk, as OpenAI writes it.</summary>
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; set; }
}

internal sealed class ChunkDelta
{
    [JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; set; }

    [JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; set; }
}
