using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Tests.Support;

/// <summary>A reply as the tests look at it: status, content type, body, and the body parsed when it is a completion.</summary>
internal sealed record Reply(HttpStatusCode Status, string? ContentType, string Body)
{
    public ChatCompletionResponse Completion =>
        JsonSerializer.Deserialize<ChatCompletionResponse>(Body) ?? throw new InvalidOperationException("The body is JSON null.");

    public RoutingMetadata Routing => Completion.DiSRouter ?? throw new InvalidOperationException("The reply has no routing metadata: " + Body);

    public string Content => Completion.Choices[0].Message.Content;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's detail, after checking that the body is application/problem+json.</summary>
    public string ProblemDetail
    {
        get
        {
            Assert.Equal("application/problem+json", ContentType);
            return Json.GetProperty("detail").GetString() ?? "";
        }
    }
}

internal static class Http
{
    public static string Chat(string query, string extraFields = "") =>
        $$"""{"messages":[{"role":"user","content":{{JsonSerializer.Serialize(query)}}}]{{(extraFields.Length > 0 ? "," + extraFields : "")}}}""";

    public static async Task<Reply> PostJsonAsync(this HttpClient client, string path, string body, params (string Name, string Value)[] headers)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(message).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    public static async Task<Reply> GetReplyAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>A loopback URL nothing listens on: connecting to it is refused at once.</summary>
    public static string DeadUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
