using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>
/// One server-sent event of a streamed completion, in OpenAI's "chat.completion.chunk" shape. The routing metadata
/// rides on the last chunk before "[DONE]", when the whole path is known; <see cref="Error"/> is set on the one event
/// that ends a stream which failed after its first token (see <see cref="StreamError"/>). That error event carries
/// the routing metadata too, with the hops so far (no one answered: no answering agent, cost 0), so that the compute
/// the failed request spent (every hop's tokens, rejections included) can still be booked.
/// </summary>
public sealed class ChatCompletionChunk
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("choices")] public List<ChunkChoice> Choices { get; set; } = [];

    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatUsage? Usage { get; set; }

    [JsonPropertyName("disrouter"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RoutingMetadata? DiSRouter { get; set; }

    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StreamError? Error { get; set; }
}

public sealed class ChunkChoice
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("delta")] public ChunkDelta Delta { get; set; } = new();

    /// <summary>Null until the choice's last chunk; written even when null, as OpenAI does.</summary>
    [JsonPropertyName("finish_reason"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; set; }
}

public sealed class ChunkDelta
{
    [JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; set; }

    [JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; set; }
}

/// <summary>
/// OpenAI's error object ({"message", "type", "code"}) as a stream event: what a failure after the commit point
/// becomes, because the 200 and part of the answer have already gone out. OpenAI's SDKs raise on a data event that
/// holds an "error"; the sender then closes the connection without "[DONE]", so any client sees a broken stream.
/// </summary>
public sealed class StreamError
{
    public const string ServerErrorType = "server_error";

    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = ServerErrorType;
    [JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Code { get; set; }

    /// <summary>The agent whose failure ended the stream.</summary>
    [JsonPropertyName("agent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Agent { get; set; }
}
