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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", (Delegate)HandleAsync);
        _app.MapGet("/health", () => "Healthy");
    }

    public string Name { get; }
    public double Cost { get; }
    public Uri Url => new(_app.Urls.First());
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Replaces the default answer; gets the request body.</summary>
    public Func<JsonObject, IResult>? Respond { get; set; }

    public async Task<FakeAgent> StartAsync()
    {
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return this;
    }

    public Received Last => Requests.Last();

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(http.Request.Body))!;
        Requests.Enqueue(new Received(body, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        return Respond?.Invoke(body) ?? Results.Content(Answer(body).ToJsonString(), "application/json");
    }

    /// <summary>An answer as a real agent gives it: OpenAI fields plus the routing metadata.</summary>
    public JsonObject Answer(JsonObject request, string text = AnswerText)
    {
        var alpha = request["alpha"]?.GetValue<double>() ?? 0.5;
        return new JsonObject
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
                ["scenario"] = request["scenario"]?.GetValue<string>() ?? "balance",
                ["answered_by"] = Name,
                ["cost"] = Cost,
                ["latency_ms"] = 12.5,
                ["path"] = new JsonArray(new JsonObject
                {
                    ["agent"] = Name, ["model"] = "nano-" + Name, ["decision"] = "answer",
                    ["latency_ms"] = 12.5, ["model_ms"] = 11.0, ["cost"] = Cost,
                }),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    public sealed record Received(JsonObject Body, IReadOnlyDictionary<string, string> Headers);
}
