using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Gateway;

internal static class GatewayJson
{
    /// <summary>Strict reading (a number sent as a string is a wrong type), no nulls written to the agents.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Stream chunks write nulls where OpenAI does ("finish_reason": null); their types mark what to omit.</summary>
    public static readonly JsonSerializerOptions ChunkOptions = new();
}
