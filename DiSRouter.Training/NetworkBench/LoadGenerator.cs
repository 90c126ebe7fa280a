using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Training.NetworkBench;

/// <summary>
/// A closed-loop load generator: C workers each send a request, wait for its whole answer, and send the next, until
/// the level's requests are sent or its time is up. Requests go to the gateway on loopback with its API key.
/// </summary>
internal sealed class LoadGenerator(HttpClient http, Uri gateway, string apiKey, Scenario scenario, int? maxTokens, string model = "disrouter")
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The model (alias or agent) every request names.</summary>
    public string Model => model;

    public async Task<(IReadOnlyList<BenchSample> Samples, TimeSpan Wall)> RunAsync(
        IReadOnlyList<string> prompts, int count, int concurrency, TimeSpan cap, CancellationToken ct)
    {
        var samples = new ConcurrentQueue<BenchSample>();
        var next = -1;
        // The cap stops new requests only: one in flight finishes, so every sample is a whole request.
        using var stopSending = new CancellationTokenSource(cap);
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while (!stopSending.IsCancellationRequested && !ct.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    samples.Enqueue(await SendAsync(prompts[i % prompts.Count], ct) with { Question = i % prompts.Count });
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // interrupted: the requests answered so far are still a measurement
                }
            }
        });
        await Task.WhenAll(workers);
        return (samples.ToList(), wall.Elapsed);
    }

    public async Task<BenchSample> SendAsync(string prompt, CancellationToken ct)
    {
        var request = new ChatCompletionRequest
        {
            Model = model, // an alias: its rule from the entry agent ("disrouter": the gateway's default); an agent's name: the cascade from that agent
            Messages = [new ChatMessage("user", prompt)],
            Alpha = scenario.Alpha,
            MaxTokens = maxTokens,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/v1/chat/completions"))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, Json))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var clientMs = watch.Elapsed.TotalMilliseconds;
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode) return new BenchSample(status, clientMs, null, ProblemDetail(body) ?? Excerpt(body));
            var parsed = JsonSerializer.Deserialize<ChatCompletionResponse>(body);
            return parsed?.DiSRouter is { } routing
                ? new BenchSample(status, clientMs, routing) { Answer = parsed.Choices.FirstOrDefault()?.Message.Content }
                : new BenchSample(status, clientMs, null, "no disrouter metadata in the response");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return new BenchSample(0, watch.Elapsed.TotalMilliseconds, null, e.Message);
        }
    }

    /// <summary>An application/problem+json body's "detail": the gateway's reason (e.g. why the Self-Route mode is off), whole.</summary>
    private static string? ProblemDetail(byte[] body)
    {
        try { return JsonNode.Parse(body)?["detail"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return null; }
    }

    private static string Excerpt(byte[] body) =>
        body.Length == 0 ? "(empty body)" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
}
