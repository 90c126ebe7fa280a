using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Core.Requests;

/// <summary>
/// The JSON settings of the OpenAI wire format on every hop: field names come from the types' attributes and are
/// matched exactly (OpenAI's are snake_case), a number sent as a string is a wrong type, and nulls are not written
/// (a chunk's "finish_reason": null is written by its own attribute, as OpenAI does).
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
