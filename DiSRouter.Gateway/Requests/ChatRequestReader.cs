using System.Text.Json;
using System.Text.Json.Nodes;
using DiSRouter.Core.Routing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Gateway.Requests;

/// <summary>
/// Reads a chat completion request with a size limit and checks it, so that every bad request is refused here with
/// the reason instead of failing somewhere down the cascade.
/// </summary>
internal static class ChatRequestReader
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant"];

    public static async Task<ReadResult> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        // 1) refuse an announced oversized body before reading a byte of it
        if (request.ContentLength > limit) return TooLarge(limit);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limit;

        // 2) read a chunked body only up to the limit
        byte[] body;
        try
        {
            body = await ReadLimitedAsync(request.Body, limit, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        catch (BodyTooLargeException)
        {
            return TooLarge(limit);
        }
        if (body.Length == 0) return Bad("The body is empty: send a JSON chat completion request.");

        // 3) syntax, then shape, then content
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return Bad($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
        if (root is not JsonObject obj) return Bad("The body must be a JSON object.");
        if (NormaliseContentParts(obj) is { } partsError) return Bad(partsError);

        ChatCompletionRequest? parsed;
        try
        {
            parsed = obj.Deserialize<ChatCompletionRequest>(GatewayJson.Options);
        }
        catch (JsonException ex)
        {
            return Bad(WrongType(ex.Path));
        }
        if (parsed is null) return Bad("The body must be a JSON object.");
        return Validate(parsed) is { } error ? Bad(error) : new ReadResult(parsed, null);
    }

    private static string? Validate(ChatCompletionRequest r)
    {
        if (r.Messages is null || r.Messages.Count == 0) return "'messages' is required and must hold at least one message.";
        for (var i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            if (m is null) return $"'messages[{i}]' is null.";
            if (string.IsNullOrWhiteSpace(m.Role)) return $"'messages[{i}].role' is required.";
            if (!Roles.Contains(m.Role)) return $"'messages[{i}].role' is '{m.Role}'; supported roles are system, developer, user and assistant.";
            if (string.IsNullOrWhiteSpace(m.Content)) return $"'messages[{i}].content' is empty.";
            // OpenAI's newer name for the system role; the agents know "system".
            if (m.Role == "developer") r.Messages[i] = m with { Role = "system" };
        }
        if (!r.Messages.Any(m => m.Role == "user")) return "'messages' must hold at least one user message.";
        if (r.TokenLimit is <= 0) return "'max_tokens' / 'max_completion_tokens' must be positive.";
        if (r.N is <= 0) return "'n' must be positive.";
        if (r.Temperature is < 0 or > 2) return "'temperature' must lie in [0, 2].";
        if (r.TopP is <= 0 or > 1) return "'top_p' must lie in (0, 1].";
        return null;
    }

    /// <summary>
    /// OpenAI lets a message's content be an array of parts ([{"type":"text","text":"..."}]); the hop protocol carries
    /// a string, so text parts are joined here and any other part is refused with the reason.
    /// </summary>
    private static string? NormaliseContentParts(JsonObject root)
    {
        if (root["messages"] is not JsonArray messages) return null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message || message["content"] is not JsonArray parts) continue;
            var text = new System.Text.StringBuilder();
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
        var field = path is null ? "" : System.Text.RegularExpressions.Regex.Replace(path.TrimStart('$', '.'), @"\[\d+\]", "[]");
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
        var name = string.IsNullOrEmpty(path) ? "The body" : $"'{path.TrimStart('$', '.')}'";
        return expected is null ? $"{name} has the wrong type." : $"{name} has the wrong type: expected {expected}.";
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw new BodyTooLargeException();
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ReadResult Bad(string detail) =>
        new(null, TypedResults.Problem(title: "Bad Request", detail: detail, statusCode: StatusCodes.Status400BadRequest));

    private static ReadResult TooLarge(long limit) =>
        new(null, TypedResults.Problem(title: "Payload Too Large",
            detail: $"The request body exceeds the limit of {limit} bytes (Gateway:MaxRequestBodyBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge));

    private sealed class BodyTooLargeException : Exception;
}

/// <summary>Either a checked request or the problem to answer with.</summary>
internal readonly record struct ReadResult(ChatCompletionRequest? Request, ProblemHttpResult? Problem);
