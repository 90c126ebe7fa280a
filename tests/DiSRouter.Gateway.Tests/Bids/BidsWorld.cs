using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Bids;

/// <summary>
/// A gateway in front of two fake agents that bid: the cheap agent-1 (cost 0.1) sure of itself at 0.6, the dear agent-2
/// (cost 0.9) at 0.95. p − α·c: at α = 0.2 agent-2 wins (0.77 against 0.58), at 0.5 and 0.8 agent-1 (0.55 against 0.50,
/// 0.52 against 0.23).
/// </summary>
internal sealed class BidsWorld : IAsyncDisposable
{
    public const string AdminKey = "admin-key";
    public const string Question = "What is 12+7?";

    public FakeAgent Agent1 { get; } = new("agent-1", 0.1) { PRight = 0.6 };
    public FakeAgent Agent2 { get; } = new("agent-2", 0.9) { PRight = 0.95 };
    public GatewayFactory Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public static async Task<BidsWorld> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var world = new BidsWorld();
        await world.Agent1.StartAsync();
        await world.Agent2.StartAsync();
        var all = new Dictionary<string, string?> { ["Gateway:AdminKeys:0"] = AdminKey };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        world.Factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = world.Agent1.Url, ["agent-2"] = world.Agent2.Url }, all);
        world.Client = world.Factory.CreateAuthorizedClient();
        return world;
    }

    public Task<HttpResponseMessage> PostAsync(string model = "disrouter-bids", bool stream = false, double? alpha = null, Action<HttpRequestMessage>? configure = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
            ["stream"] = stream,
        };
        if (alpha is { } a) body["alpha"] = a;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        configure?.Invoke(request);
        return Client.SendAsync(request).WaitAsync(TestTimeouts.Request);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null) await Factory.DisposeAsync();
        await Agent1.DisposeAsync();
        await Agent2.DisposeAsync();
    }
}
