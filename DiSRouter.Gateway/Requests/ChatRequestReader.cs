using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Gateway.Requests;

/// <summary>
/// Reads a chat completion request with a size limit and checks it by the rules the agents use
/// (<see cref="ChatRequestParser"/>, <see cref="ChatRequestRules"/>), so that every bad request is refused here with the
/// reason instead of failing somewhere down the cascade. The body's bytes are kept: they are what is forwarded.
/// </summary>
internal static class ChatRequestReader
{
    public static async Task<ReadResult> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        // 1) refuse a body that is not JSON, or an announced oversized one, before reading a byte of it
        if (ChatRequestParser.ContentTypeError(request.ContentType) is { } mediaError)
            return new(null, null, TypedResults.Problem(title: "Unsupported Media Type", detail: mediaError,
                statusCode: StatusCodes.Status415UnsupportedMediaType));
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

        // 3) the shared rules: syntax, shape, content, then what the cascade needs
        var reading = ChatRequestParser.Parse(body);
        if (reading.Error is { } error) return Bad(error);
        if (ChatRequestRules.ValidateForCascade(reading.Request!) is { } cascadeError) return Bad(cascadeError);
        return new ReadResult(reading.Request, body, null);
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
        new(null, null, TypedResults.Problem(title: "Bad Request", detail: detail, statusCode: StatusCodes.Status400BadRequest));

    private static ReadResult TooLarge(long limit) =>
        new(null, null, TypedResults.Problem(title: "Payload Too Large",
            detail: $"The request body exceeds the limit of {limit} bytes (Gateway:MaxRequestBodyBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge));

    private sealed class BodyTooLargeException : Exception;
}

/// <summary>Either a checked request with the bytes it was read from, or the problem to answer with.</summary>
internal readonly record struct ReadResult(ChatCompletionRequest? Request, byte[]? Body, ProblemHttpResult? Problem);
