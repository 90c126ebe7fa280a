using System.Buffers;
using System.Text.Json;

namespace DiSRouter.Core.Requests;

/// <summary>
/// What System.Text.Json lets through but a request must not hold, checked in one pass over the bytes before they are
/// parsed: bytes that are not UTF-8 (the reader would carry them into the prompt), a string whose escapes leave a lone
/// UTF-16 surrogate ("\ud800": no text can hold it, and reading it later throws), and a key given twice in one object
/// (which of two "model"s counts is a guess; JsonObject throws on it). Each refusal names where it is.
/// </summary>
public static class StrictJson
{
    /// <summary>Null when the body is well-formed UTF-8 JSON with lone surrogates and duplicate keys absent.</summary>
    public static string? Check(ReadOnlySpan<byte> body)
    {
        if (Utf8Error(body) is { } utf8) return utf8;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var keys = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        keys.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        if (ReadString(ref reader) is not { } name) return LoneSurrogate(reader, "a key");
                        if (keys.Peek() is { } seen && !seen.Add(name))
                            return $"The key \"{name}\" appears twice in one object ({reader.TokenStartIndex} bytes in); send each field once.";
                        break;
                    case JsonTokenType.String:
                        if (ReadString(ref reader) is null) return LoneSurrogate(reader, "a string");
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null; // a syntax error: the parser reports it with its line and byte
        }
        return null;
    }

    /// <summary>The string's text, or null when its escapes make invalid UTF-16 (a lone surrogate).</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.GetString();
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string LoneSurrogate(Utf8JsonReader reader, string what) =>
        $"The body holds {what} with a lone UTF-16 surrogate escape (such as \"\\ud800\" without its pair), {reader.TokenStartIndex} bytes in; " +
        "escape characters outside the Basic Multilingual Plane as a surrogate pair.";

    /// <summary>The first byte that is not valid UTF-8, named with its offset; null when all are valid.</summary>
    private static string? Utf8Error(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body)) return null;
        var chars = ArrayPool<char>.Shared.Rent(Math.Min(body.Length, 1 << 16) + 4);
        try
        {
            var offset = 0;
            while (offset < body.Length)
            {
                var status = System.Text.Unicode.Utf8.ToUtf16(body[offset..], chars, out var read, out _, replaceInvalidSequences: false);
                offset += read;
                if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData) break;
                if (status == OperationStatus.Done) break;
            }
            return $"The body is not valid UTF-8 (byte {offset + 1} starts an invalid sequence); send JSON encoded as UTF-8.";
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
