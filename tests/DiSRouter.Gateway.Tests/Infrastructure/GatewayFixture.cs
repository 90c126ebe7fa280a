using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DiSRouter.Gateway.Tests.Infrastructure;

/// <summary>A gateway in front of two fake agents, shared by the tests of one class.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public FakeAgent Agent1 { get; } = new("agent-1", 0.1);
    public FakeAgent Agent2 { get; } = new("agent-2", 0.2);
    public GatewayFactory Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Agent1.StartAsync();
        await Agent2.StartAsync();
        Factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = Agent1.Url, ["agent-2"] = Agent2.Url });
        Client = Factory.CreateAuthorizedClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Agent1.DisposeAsync();
        await Agent2.DisposeAsync();
    }

    public static JsonObject Chat(string model = "disrouter", string content = "What is 2 + 2?") => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
    };

    public Task<HttpResponseMessage> PostChatAsync(JsonObject body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        configure?.Invoke(request);
        return Client.SendAsync(request).WaitAsync(TestTimeouts.Request);
    }
}
