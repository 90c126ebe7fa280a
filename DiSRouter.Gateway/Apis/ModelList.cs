using System.Text.Json.Serialization;

namespace DiSRouter.Gateway.Apis;

/// <summary>OpenAI's model list ("object": "list").</summary>
internal sealed record ModelList([property: JsonPropertyName("data")] IReadOnlyList<ModelEntry> Data)
{
    [JsonPropertyName("object")] public string Object => "list";
}

internal sealed record ModelEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created)
{
    public static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [JsonPropertyName("object")] public string Object => "model";
    [JsonPropertyName("owned_by")] public string OwnedBy => "disrouter";
}
