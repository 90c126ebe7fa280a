using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// A hosted model for the agents' "hosted" backend: a real OpenAI-compatible server on 127.0.0.1 whose replies are
/// scripted per model name, plain or streamed. It stands in for OpenAI/vLLM so that the cascade's decisions are known.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    public const string Answer = "Let's think step by step: 2 + 2 = 4. The final answer is: 4.";

    private readonly WebApplication _app;

    public FakeModelServer(IReadOnlyDictionary<string, string> replies)
    {
        Replies = new ConcurrentDictionary<string, string>(replies);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", (Delegate)HandleAsync);
    }

    /// <summary>Model name → the text it replies with ("I don't know!" makes the agent reject).</summary>
    public ConcurrentDictionary<string, string> Replies { get; }

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The base URL an agent's Agent:Endpoint points at.</summary>
    public string Endpoint => _app.Urls.First() + "/v1";

    public async Task<FakeModelServer> StartAsync()
    {
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return this;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var model = (string?)body["model"] ?? "";
        Calls.Enqueue(model);
        var text = Replies.TryGetValue(model, out var reply) ? reply : "unknown model " + model;

        if ((bool?)body["stream"] != true)
        {
            await http.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 9, ["total_tokens"] = 21 },
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        var pieces = text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToList();
        await WriteAsync(http, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        foreach (var piece in pieces) await WriteAsync(http, Chunk(model, new JsonObject { ["content"] = piece }, null));
        await WriteAsync(http, Chunk(model, new JsonObject(), "stop"));
        await http.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static JsonObject Chunk(string model, JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task WriteAsync(HttpContext http, JsonObject chunk)
    {
        await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n");
        await http.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}
