using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiSRouter.Core.Routing;

namespace DiSRouter.Core.Requests;

/// <summary>
/// Reads a chat completion request from its body bytes and checks it against <see cref="ChatRequestRules"/>: the one
/// reading shared by the gateway and the agents, so that a request one accepts the other accepts too. Every refusal
/// names the field and the reason.
/// </summary>
public static partial class ChatRequestParser
{
    public static ChatRequestReading Parse(ReadOnlySpan<byte> body)
    {
        // 1) syntax
        if (body.IsEmpty) return Bad("The body is empty: send a JSON chat completion request.");
        if (StrictJson.Check(body) is { } strictError) return Bad(strictError);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return Bad($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        // 2) shape: OpenAI's content parts become the one string the hop protocol carries
        if (root is not JsonObject obj) return Bad("The body must be a JSON object.");
        if (JoinTextParts(obj) is { } partsError) return Bad(partsError);
        ChatCompletionRequest? request;
        try
        {
            request = obj.Deserialize<ChatCompletionRequest>(WireJson.Options);
        }
        catch (JsonException ex)
        {
            return Bad(WrongType(ex.Path));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // StrictJson has refused what is known to throw here; anything else is still the body's fault, never a 500.
            return Bad($"The body could not be read as a chat completion request: {ex.Message}");
        }
        if (request is null) return Bad("The body must be a JSON object.");

        // 3) content
        return ChatRequestRules.Validate(request) is { } error ? Bad(error) : new ChatRequestReading(request, null);
    }

    /// <summary>
    /// OpenAI lets a message's content be an array of parts ([{"type":"text","text":"..."}]); text parts are joined and
    /// any other part is refused with the reason.
    /// </summary>
    private static string? JoinTextParts(JsonObject root)
    {
        if (root["messages"] is not JsonArray messages) return null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message || message["content"] is not JsonArray parts) continue;
            var text = new StringBuilder();
            foreach (var part in parts)
            {
                if (part is JsonObject p && p["type"]?.GetValueKind() == JsonValueKind.String && (string?)p["type"] == "text"
                    && p["text"]?.GetValueKind() == JsonValueKind.String)
                    text.Append((string?)p["text"]);
                else
                    return $"'messages[{i}].content' holds a part that is not text; only text content is supported.";
            }
            message["content"] = text.ToString();
        }
        return null;
    }

    private static string WrongType(string? path)
    {
        var field = path is null ? "" : Index().Replace(path.TrimStart('$', '.'), "[]");
        var expected = field switch
        {
            "messages" => "an array of {\"role\", \"content\"} objects",
            "messages[]" => "an object with \"role\" and \"content\"",
            "messages[].role" => "a string",
            "messages[].content" => "a string or an array of text parts",
            "model" or "scenario" => "a string",
            "alpha" or "temperature" or "top_p" => "a number",
            "max_tokens" or "max_completion_tokens" or "seed" or "n" => "an integer",
            "stream" => "a boolean",
            _ => null,
        };
        var name = string.IsNullOrEmpty(path) || path == "$" ? "The body" : $"'{path.TrimStart('$', '.')}'";
        return expected is null ? $"{name} has the wrong type." : $"{name} has the wrong type: expected {expected}.";
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();

    /// <summary>
    /// Null when a content type announces JSON ("application/json", any "+json", an optional charset of UTF-8);
    /// else the reason. A form or text body is refused rather than guessed at: curl's -d without a header sends a form.
    /// </summary>
    public static string? ContentTypeError(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
            return "The request has no Content-Type; send the body as 'Content-Type: application/json'.";
        if (!System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is not { } type)
            return $"The Content-Type '{contentType}' cannot be read; send 'application/json'.";
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
                   (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        if (!json) return $"The Content-Type is '{type}'; a chat completion request is JSON: send 'application/json'.";
        if (media.CharSet is { Length: > 0 } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return $"The charset is '{charset}'; JSON is read as UTF-8 only.";
        return null;
    }

    private static ChatRequestReading Bad(string reason) => new(null, reason);
}

/// <summary>Either a checked request or the reason it was refused.</summary>
public readonly record struct ChatRequestReading(ChatCompletionRequest? Request, string? Error);
