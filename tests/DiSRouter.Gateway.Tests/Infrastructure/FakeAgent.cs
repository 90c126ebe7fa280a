using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiSRouter.Gateway.Tests.Infrastructure;

/// <summary>
/// A test double of an agent: a real Kestrel server on 127.0.0.1 speaking the agent's cascade protocol, recording
/// what it received. <see cref="Respond"/> replaces the default answer.
/// </summary>
public sealed class FakeAgent : IAsyncDisposable
{
    public const string AnswerText = "Let's think step by step: 2 + 2 = 4. The final answer is: 4.";

    private readonly WebApplication _app;

    public FakeAgent(string name, double cost = 0.1)
    {
        Name = name;
        Cost = cost;
        Weights = "weights-" + name;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", (Delegate)HandleAsync);
        _app.MapPost("/v1/assess", (Delegate)AssessAsync);
        _app.MapGet("/health", () => "Healthy");
        _app.MapGet("/checkpoint", () => Weights is { } w ? Results.Json(new JsonObject { ["generation"] = 1, ["weights_sha256"] = w }) : Results.NotFound());
    }

    public string Name { get; }
    public double Cost { get; }
    public Uri Url => new(_app.Urls.First());
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The weights fingerprint GET /checkpoint names (what Self-Route's router file is matched against); null: 404, as a hosted model.</summary>
    public string? Weights { get; set; }

    /// <summary>The p_right POST /v1/assess bids (null: no bid, with <see cref="NoBid"/>), as a real agent reads it off its bid scale.</summary>
    public double? PRight { get; set; } = 0.5;

    /// <summary>Why the agent has no bid when <see cref="PRight"/> is null.</summary>
    public string NoBid { get; set; } = "no bid.json beside the checkpoint";

    /// <summary>Replaces the default assessment; gets the request body.</summary>
    public Func<JsonObject, IResult>? RespondToAssess { get; set; }

    /// <summary>The bodies POST /v1/assess received.</summary>
    public ConcurrentQueue<Received> Assessments { get; } = new();

    /// <summary>Replaces the default answer; gets the request body.</summary>
    public Func<JsonObject, IResult>? Respond { get; set; }

    /// <summary>Pause before each streamed word, as a model generating it.</summary>
    public TimeSpan StreamDelay { get; set; }

    /// <summary>When set, a stream stops after this many words and the connection is cut (an agent dying mid-answer).</summary>
    public int? DieAfterWords { get; set; }

    /// <summary>
    /// When set, a stream stops after this many words with the error event (carrying the hops so far, as a real agent
    /// relays the failure of an agent further down) and the connection is cut.
    /// </summary>
    public int? ErrorEventAfterWords { get; set; }

    /// <summary>When set, answers are marked degraded as a real agent marks them: header before the body, and in the metadata.</summary>
    public string? Degraded { get; set; }

    /// <summary>Hops put in front of this agent's own in the routing path (a rejecting agent before it).</summary>
    public Func<JsonArray>? PathBefore { get; set; }

    public async Task<FakeAgent> StartAsync()
    {
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return this;
    }

    public Received Last => Requests.Last();

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new Received(body, headers));
        if (Respond?.Invoke(body) is { } custom) return custom;
        if (Degraded is { } degraded) http.Response.Headers["X-DiSRouter-Degraded"] = degraded;
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(http, Answer(headers));
            return Results.Empty;
        }
        http.Response.Headers["X-DiSRouter-Answered-By"] = Name;
        return Results.Content(Answer(headers).ToJsonString(), "application/json");
    }

    private async Task<IResult> AssessAsync(HttpContext http)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
        Assessments.Enqueue(new Received(body, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (RespondToAssess?.Invoke(body) is { } custom) return custom;
        var assessment = new JsonObject
        {
            ["agent"] = Name, ["model"] = "nano-" + Name, ["cost"] = Cost, ["prompt_alpha"] = 0.5,
            ["logit_gap"] = PRight is null ? null : 1.25, ["p_right"] = PRight, ["prompt_ms"] = 3.5,
        };
        if (PRight is null) assessment["no_bid"] = NoBid;
        return Results.Content(assessment.ToJsonString(), "application/json");
    }

    /// <summary>The answer as a real agent streams it: a role chunk, a chunk per word, a last chunk with usage and metadata, [DONE].</summary>
    private async Task StreamAsync(HttpContext http, JsonObject answer)
    {
        http.Response.ContentType = "text/event-stream";
        async Task Send(JsonNode data)
        {
            await http.Response.WriteAsync("data: " + data.ToJsonString() + "\n\n");
            await http.Response.Body.FlushAsync();
        }
        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = answer["id"]!.GetValue<string>(), ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000,
            ["model"] = answer["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        await Send(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        var words = System.Text.RegularExpressions.Regex.Matches(AnswerText, @"\s*\S+").Select(m => m.Value).ToList();
        for (var i = 0; i < words.Count; i++)
        {
            if (i == DieAfterWords)
            {
                http.Abort();
                return;
            }
            if (i == ErrorEventAfterWords)
            {
                var error = Chunk(new JsonObject(), null);
                error["error"] = new JsonObject { ["message"] = "agent-9 failed after it began to answer", ["type"] = "server_error", ["agent"] = "agent-9" };
                var routing = answer["disrouter"]!.DeepClone();
                routing["answered_by"] = null;
                routing["cost"] = 0;
                error["disrouter"] = routing;
                await Send(error);
                await Task.Delay(100);
                http.Abort();
                return;
            }
            if (StreamDelay > TimeSpan.Zero) await Task.Delay(StreamDelay);
            await Send(Chunk(new JsonObject { ["content"] = words[i] }, null));
        }
        var last = Chunk(new JsonObject(), "stop");
        last["usage"] = answer["usage"]!.DeepClone();
        last["disrouter"] = answer["disrouter"]!.DeepClone();
        await Send(last);
        await http.Response.WriteAsync("data: [DONE]\n\n");
    }

    /// <summary>An answer as a real agent gives it: OpenAI fields plus the routing metadata, α from the hop header.</summary>
    public JsonObject Answer(IReadOnlyDictionary<string, string> headers, string text = AnswerText)
    {
        var alpha = headers.TryGetValue("X-DiSRouter-Alpha", out var a) ? double.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : 0.5;
        var path = PathBefore?.Invoke() ?? [];
        path.Add(new JsonObject
        {
            ["agent"] = Name, ["model"] = "nano-" + Name, ["decision"] = "answer",
            ["latency_ms"] = 12.5, ["model_ms"] = 11.0, ["prompt_tokens"] = 10, ["completion_tokens"] = 20, ["cost"] = Cost,
        });
        var answer = new JsonObject
        {
            ["id"] = "chatcmpl-" + Name,
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = "nano-" + Name,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 20, ["total_tokens"] = 30 },
            ["disrouter"] = new JsonObject
            {
                ["alpha"] = alpha,
                ["scenario"] = headers.TryGetValue("X-DiSRouter-Scenario", out var scenario) ? scenario : "balance",
                ["answered_by"] = Name,
                ["cost"] = Cost,
                ["latency_ms"] = 12.5,
                ["path"] = path,
            },
        };
        if (Degraded is not null) answer["disrouter"]!["degraded"] = Degraded;
        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    public sealed record Received(JsonObject Body, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The α the gateway chose, as the hop header carries it.</summary>
        public double Alpha => double.Parse(Headers["X-DiSRouter-Alpha"], System.Globalization.CultureInfo.InvariantCulture);

        public string Scenario => Headers["X-DiSRouter-Scenario"];
    }
}
