using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// Sends a rejected request to one successor's cascade endpoint and sorts the outcome: an answer, a refusal to pass
/// back unchanged (a 4xx, or 508 from the loop guard), or unreachable (no address, connection failure, 5xx, timeout,
/// a body that is not a chat completion) — the cue to try the next successor.
/// </summary>
internal sealed class SuccessorClient(IHttpClientFactory httpClientFactory, SuccessorResolver resolver)
{
    public const string HttpClientName = "DiSRouter.Agents.Successors";
    public const string CascadePath = "v1/chat/completions";

    public async Task<ForwardOutcome> ForwardAsync(string successor, ChatCompletionRequest request, int hops,
        TimeSpan timeout, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var baseUri = resolver.Resolve(successor);
        if (baseUri is null)
            return new ForwardOutcome.Unreachable($"no address configured ({SuccessorResolver.KeyFor(successor)})", sw.Elapsed);

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(WithTrailingSlash(baseUri), CascadePath))
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, AgentJson.Options))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            };
            message.Headers.Add(RoutingHeaders.HopCount, hops.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeoutCts.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeoutCts.Token);
            var status = (int)response.StatusCode;

            if (response.IsSuccessStatusCode)
            {
                ChatCompletionResponse? parsed = null;
                try { parsed = JsonSerializer.Deserialize<ChatCompletionResponse>(body, AgentJson.Options); }
                catch (JsonException) { }
                return parsed is { Choices.Count: > 0 }
                    ? new ForwardOutcome.Answered(parsed, sw.Elapsed)
                    : new ForwardOutcome.Unreachable($"HTTP {status} with a body that is not a chat completion", sw.Elapsed);
            }
            if (status == (int)HttpStatusCode.LoopDetected || status < 500)
                return new ForwardOutcome.Refused(status, body, response.Content.Headers.ContentType?.ToString(), sw.Elapsed);
            return new ForwardOutcome.Unreachable($"HTTP {status}", sw.Elapsed);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // the client went away: nothing to route any more
        }
        catch (OperationCanceledException)
        {
            return new ForwardOutcome.Unreachable($"no answer within {timeout.TotalSeconds:0.#} s", sw.Elapsed);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Connection refused, reset, DNS, or a resilience pipeline that gave up (an open circuit): all mean "down".
            return new ForwardOutcome.Unreachable(Describe(ex), sw.Elapsed);
        }
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }
}

/// <summary>What became of one forwarding attempt.</summary>
internal abstract record ForwardOutcome(TimeSpan Elapsed)
{
    public sealed record Answered(ChatCompletionResponse Response, TimeSpan Elapsed) : ForwardOutcome(Elapsed);

    /// <summary>The successor refused the request itself (4xx, or 508 from the loop guard): passed back as is.</summary>
    public sealed record Refused(int StatusCode, byte[] Body, string? ContentType, TimeSpan Elapsed) : ForwardOutcome(Elapsed);

    public sealed record Unreachable(string Reason, TimeSpan Elapsed) : ForwardOutcome(Elapsed);
}
