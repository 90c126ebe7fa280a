using System.Text.Json.Serialization;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Apis;

/// <summary>One server-sent event of a streamed completion, in OpenAI's "chat.completion.chunk" shape.</summary>
internal sealed class ChatCompletionChunk
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("choices")] public List<ChunkChoice> Choices { get; set; } = [];
    [JsonPropertyName("usage")] public ChatUsage? Usage { get; set; }
}

internal sealed class ChunkChoice
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("delta")] public ChunkDelta Delta { get; set; } = new();

    /// <summary>Null until the sample's last chunk; written even when null, as OpenAI does.</summary>
    [JsonPropertyName("finish_reason"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; set; }
}

internal sealed class ChunkDelta
{
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("content")] public string? Content { get; set; }
}

/// <summary>GET /v1/models: the one model this agent serves.</summary>
internal sealed class ModelList
{
    [JsonPropertyName("object")] public string Object { get; set; } = "list";
    [JsonPropertyName("data")] public List<ModelCard> Data { get; set; } = [];
}

internal sealed class ModelCard
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "model";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("owned_by")] public string OwnedBy { get; set; } = "";
}
