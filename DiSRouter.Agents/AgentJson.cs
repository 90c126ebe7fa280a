using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiSRouter.Agents;

/// <summary>The JSON settings of everything an agent writes: OpenAI's field names come from the DTOs' attributes; nulls are left out.</summary>
internal static class AgentJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
