using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// An OpenAI-compatible chat server on 127.0.0.1, in the test process: a hosted model whose answer streams one word per
/// <see cref="TokenDelay"/>, so that an answer lasts long enough to watch it arrive, or to kill the agent relaying it.
/// </summary>
public sealed class SlowModelServer : IAsyncDisposable
{
    public const string Model = "slow-model";
    public const string Opening = "Let's think step by step:";

    private readonly LoopbackHttpServer _server;
    private int _requests;

    public SlowModelServer() => _server = new LoopbackHttpServer(ChatAsync);

    /// <summary>The pause before each word; zero answers at once.</summary>
    public TimeSpan TokenDelay { get; set; }

    /// <summary>Words after the opening.</summary>
    public int Words { get; set; } = 20;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The base URL an OpenAI client is given ("http://127.0.0.1:PORT/v1").</summary>
    public Uri BaseUrl => new(_server.Url, "/v1");

    private async Task ChatAsync(HttpListenerContext http)
    {
        Interlocked.Increment(ref _requests);
        if (http.Request.HttpMethod != "POST" || http.Request.Url?.AbsolutePath != "/v1/chat/completions")
        {
            http.Response.StatusCode = 404;
            return;
        }
        var body = await JsonNode.ParseAsync(http.Request.InputStream);
        var words = new[] { Opening }.Concat(Enumerable.Range(1, Words).Select(i => $" w{i}")).ToList();
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var response = http.Response;
        if (body?["stream"]?.GetValue<bool>() != true)
        {
            foreach (var _ in words) await Task.Delay(TokenDelay);
            response.ContentType = "application/json";
            await WriteAsync(response, new JsonObject
            {
                ["id"] = id, ["object"] = "chat.completion", ["created"] = 0, ["model"] = Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(words) }, ["finish_reason"] = "stop",
                }),
                ["usage"] = Usage(words.Count),
            }.ToJsonString());
            return;
        }
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        await SendAsync(response, Chunk(id, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        foreach (var word in words)
        {
            await Task.Delay(TokenDelay);
            await SendAsync(response, Chunk(id, new JsonObject { ["content"] = word }, null)); // fails once the agent is gone
        }
        var last = Chunk(id, new JsonObject(), "stop");
        last["usage"] = Usage(words.Count);
        await SendAsync(response, last);
        await WriteAsync(response, "data: [DONE]\n\n");
    }

    private static JsonObject Chunk(string id, JsonObject delta, string? finish) => new()
    {
        ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 0, ["model"] = Model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static JsonObject Usage(int completion) => new() { ["prompt_tokens"] = 20, ["completion_tokens"] = completion, ["total_tokens"] = 20 + completion };

    private static Task SendAsync(HttpListenerResponse response, JsonObject chunk) => WriteAsync(response, "data: " + chunk.ToJsonString() + "\n\n");

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes);
        await response.OutputStream.FlushAsync();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
