using System.Text.Json;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace DiSRouter.Agents.Apis;

/// <summary>
/// A cascade's answer as server-sent events, each chunk flushed as it comes. A normal end is "data: [DONE]". An error
/// chunk (a failure after the commit point) is written as OpenAI's error event, which OpenAI's Python and Node SDKs
/// raise on, and the connection is then aborted without "[DONE]": the .NET SDK ignores the error event but raises on
/// the broken stream (CascadeStreamingTests checks it), so no client takes the half answer for a whole one.
/// </summary>
internal sealed class ChunkStreamResult(IAsyncEnumerable<ChatCompletionChunk> chunks) : IResult, IStatusCodeHttpResult
{
    private static readonly TimeSpan ErrorDrainTime = TimeSpan.FromMilliseconds(100);

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await foreach (var chunk in chunks.WithCancellation(ct))
        {
            await WriteAsync(http, JsonSerializer.Serialize(chunk, WireJson.Options), ct);
            if (chunk.Error is null) continue;
            // Abort drops output the transport has not yet put on the wire, and a flush only hands it to the transport:
            // the error event gets a moment to leave before the connection is cut.
            await Task.Delay(ErrorDrainTime, CancellationToken.None);
            http.Abort();
            return;
        }
        await WriteAsync(http, "[DONE]", ct);
    }

    private static async Task WriteAsync(HttpContext http, string data, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + data + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
