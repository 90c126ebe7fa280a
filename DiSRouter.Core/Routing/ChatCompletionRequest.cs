using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>
/// An OpenAI-compatible chat completion request, as the Gateway receives it and as it travels hop to hop.
/// Beyond OpenAI's fields it carries the preference factor <see cref="Alpha"/> (or a <see cref="Scenario"/> name).
/// Unknown fields are kept in <see cref="Extra"/> so that forwarding loses nothing.
/// </summary>
public sealed class ChatCompletionRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("messages")] public List<ChatMessage> Messages { get; set; } = [];
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("seed")] public int? Seed { get; set; }
    [JsonPropertyName("n")] public int? N { get; set; }
    [JsonPropertyName("stream")] public bool? Stream { get; set; }

    /// <summary>A string or an array of strings in OpenAI's API; kept raw and read with <see cref="StopStrings"/>.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; set; }

    /// <summary>DiSRouter: the preference factor α ∈ [0, 1]; wins over <see cref="Scenario"/> when both are set.</summary>
    [JsonPropertyName("alpha")] public double? Alpha { get; set; }

    /// <summary>DiSRouter: a scenario name ("performance-first", "balance", "cost-first").</summary>
    [JsonPropertyName("scenario")] public string? Scenario { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The effective token limit: max_completion_tokens wins over the older max_tokens.</summary>
    [JsonIgnore] public int? TokenLimit => MaxCompletionTokens ?? MaxTokens;

    /// <summary>The stop sequences, whichever of OpenAI's two shapes the client used.</summary>
    public IReadOnlyList<string> StopStrings()
    {
        if (Stop is not { } s) return [];
        return s.ValueKind switch
        {
            JsonValueKind.String => [s.GetString()!],
            JsonValueKind.Array => s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            _ => [],
        };
    }
}
