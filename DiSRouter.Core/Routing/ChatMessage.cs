using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>One chat message; <see cref="Role"/> is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);
