using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// Sends a rejected request to one successor's cascade endpoint, always streamed, and sorts the outcome: the successor
/// committed (200 and its stream of chunks: it answers, or its own successor does), a refusal to pass back unchanged
/// (a 4xx, or 508 from the loop guard), under the auction rule a hand-back (<see cref="HandBack"/>: the successor names
/// the winner instead of answering), or unreachable (no address, connection failure, 5xx, timeout) — the cue to try
/// the next successor. The call goes through IHttpClientFactory's HttpClient, which carries the W3C trace context.
/// </summary>
internal sealed class SuccessorClient(IHttpClientFactory httpClientFactory, SuccessorResolver resolver, SuccessorBreaker breaker)
{
    public const string HttpClientName = "DiSRouter.Agents.Successors";
    public const string CascadePath = "v1/chat/completions";

    /// <param name="timeout">How long the successor may take to commit (send its status).</param>
    /// <param name="idleTimeout">After the commit, how long its stream may stay silent between two events before it counts as broken.</param>
    /// <param name="auction">Under the auction rule: the rule is passed on, with the best bid so far (null while no one has bid).</param>
    public async Task<ForwardOutcome> OpenAsync(string successor, ChatCompletionRequest request, int hops, Scenario scenario,
        TimeSpan timeout, TimeSpan idleTimeout, CancellationToken ct, AuctionCall? auction = null)
    {
        var sw = Stopwatch.StartNew();
        if (breaker.SkipReason(successor) is { } open) return new ForwardOutcome.Unreachable(open, sw.Elapsed);
        var baseUri = await resolver.ResolveAsync(successor, ct);
        if (baseUri is null)
            return new ForwardOutcome.Unreachable($"no address configured ({SuccessorResolver.KeyFor(successor)})", sw.Elapsed);

        var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(WithTrailingSlash(baseUri), CascadePath))
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(Streamed(request), WireJson.Options))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            };
            message.Headers.Add(RoutingHeaders.HopCount, hops.ToString(CultureInfo.InvariantCulture));
            message.Headers.Add(RoutingHeaders.Alpha, scenario.Alpha.ToString("R", CultureInfo.InvariantCulture));
            message.Headers.Add(RoutingHeaders.Scenario, scenario.Name);
            message.Headers.Add(RoutingHeaders.CommitBudget, Math.Round(timeout.TotalMilliseconds).ToString("R", CultureInfo.InvariantCulture));
            if (auction is not null)
            {
                message.Headers.Add(RoutingHeaders.Rule, RoutingHeaders.AuctionRule);
                if (auction.Best is { } best) message.Headers.Add(RoutingHeaders.BestBid, best.ToHeader());
            }

            var client = httpClientFactory.CreateClient(HttpClientName);
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                timeoutCts.CancelAfter(Timeout.InfiniteTimeSpan);
                breaker.Answered(successor);
                var stream = new SuccessorStream(successor, response, timeoutCts, idleTimeout);
                response = null;
                return new ForwardOutcome.Committed(stream, sw.Elapsed);
            }
            var body = await response.Content.ReadAsByteArrayAsync(timeoutCts.Token);
            breaker.Answered(successor);
            if (response.IsSuccessStatusCode)
                return new ForwardOutcome.Unreachable($"HTTP {status} with a body that is not a stream of chunks", sw.Elapsed);
            if (status == HandBack.StatusCode && response.Content.Headers.ContentType?.MediaType == HandBack.MediaType)
                return HandBack.TryRead(body) is { } handBack
                    ? new ForwardOutcome.HandedBack(handBack, sw.Elapsed)
                    : new ForwardOutcome.Unreachable("a hand-back whose body names no winner", sw.Elapsed);
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
            breaker.TimedOut(successor);
            return new ForwardOutcome.Unreachable($"no answer within {timeout.TotalSeconds:0.#} s", sw.Elapsed);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Connection refused, reset, DNS, or a resilience pipeline that gave up (an open circuit): all mean "down".
            return new ForwardOutcome.Unreachable(Describe(ex), sw.Elapsed);
        }
        finally
        {
            if (response is not null)
            {
                response.Dispose();
                timeoutCts.Dispose();
            }
        }
    }

    /// <summary>Between agents every answer streams; a whole answer is collected by the agent that the client called.</summary>
    private static ChatCompletionRequest Streamed(ChatCompletionRequest r) => new()
    {
        Model = r.Model,
        Messages = r.Messages,
        MaxTokens = r.MaxTokens,
        MaxCompletionTokens = r.MaxCompletionTokens,
        Temperature = r.Temperature,
        TopP = r.TopP,
        Seed = r.Seed,
        N = r.N,
        Stream = true,
        Stop = r.Stop,
        Alpha = r.Alpha,
        Scenario = r.Scenario,
        Extra = r.Extra,
    };

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    internal static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }
}

/// <summary>A committed successor's stream of chunks, read event by event as it arrives; disposing it closes the connection.</summary>
internal sealed class SuccessorStream(string successor, HttpResponseMessage response, CancellationTokenSource lifetime, TimeSpan idleTimeout) : IAsyncDisposable
{
    public string Successor => successor;

    /// <summary>What the successor's own path had to leave out (its <see cref="RoutingHeaders.Degraded"/>), or null.</summary>
    public string? Degraded =>
        response.Headers.TryGetValues(RoutingHeaders.Degraded, out var values) ? string.Join("; ", values) : null;

    /// <summary>The chunks up to "[DONE]"; throws when the stream breaks or ends without it.</summary>
    public async IAsyncEnumerable<ChatCompletionChunk> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.Token);
        var body = await response.Content.ReadAsStreamAsync(linked.Token);
        // A successor that hangs after its commit (a stopped process keeps its connection open) would hold the stream
        // forever: each event must come within the idle timeout, or the stream counts as broken (the error event follows).
        lifetime.CancelAfter(idleTimeout);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(linked.Token))
        {
            lifetime.CancelAfter(idleTimeout);
            if (item.Data == "[DONE]") yield break;
            yield return JsonSerializer.Deserialize<ChatCompletionChunk>(item.Data, WireJson.Options)
                ?? throw new InvalidDataException($"{successor} sent an event that is not a chunk: {item.Data}");
        }
        throw new IOException($"{successor}'s stream ended without [DONE]");
    }

    public ValueTask DisposeAsync()
    {
        response.Dispose();
        lifetime.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>What became of one forwarding attempt.</summary>
internal abstract record ForwardOutcome(TimeSpan Elapsed)
{
    /// <summary>The successor committed to the query: its answer (or its successor's) streams.</summary>
    public sealed record Committed(SuccessorStream Stream, TimeSpan Elapsed) : ForwardOutcome(Elapsed);

    /// <summary>The successor refused the request itself (4xx, or 508 from the loop guard): passed back as is.</summary>
    public sealed record Refused(int StatusCode, byte[] Body, string? ContentType, TimeSpan Elapsed) : ForwardOutcome(Elapsed);

    /// <summary>Under the auction rule: the successor (or one after it) named an earlier agent the winner; nothing is committed.</summary>
    public sealed record HandedBack(HandBack HandBack, TimeSpan Elapsed) : ForwardOutcome(Elapsed);

    public sealed record Unreachable(string Reason, TimeSpan Elapsed) : ForwardOutcome(Elapsed);
}
