using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>GET /v1/models in OpenAI's shape ("object": "list").</summary>
public sealed class ModelList
{
    [JsonPropertyName("object")] public string Object { get; set; } = "list";
    [JsonPropertyName("data")] public List<ModelCard> Data { get; set; } = [];
}

public sealed class ModelCard
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "model";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("owned_by")] public string OwnedBy { get; set; } = "";
}
