using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.SelfRoute;

/// <summary>
/// A gateway in Self-Route mode over two fake agents, with a router fitted on a hand-made world where the right route is
/// known: "apple" questions the cheap agent-1 answers right, "zebra" questions only the dear agent-2 does. At α = 0.5
/// (costs 0.1 and 0.9) an apple belongs to agent-1 and a zebra to agent-2. The router file names the agents by the
/// weights their GET /checkpoint reports.
/// </summary>
internal sealed class SelfRouteWorld : IAsyncDisposable
{
    public const string AdminKey = "admin-key";
    public const string Apple = "apple orchard question 1000 about red fruit";
    public const string Zebra = "zebra savanna puzzle 1000 with striped animals";

    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-self-route-").FullName;

    public FakeAgent Agent1 { get; } = new("agent-1", 0.1);
    public FakeAgent Agent2 { get; } = new("agent-2", 0.9);
    public GatewayFactory Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string RouterFile => Path.Combine(_dir, SelfRouteFile.FileName);

    public static async Task<SelfRouteWorld> StartAsync(Dictionary<string, string?>? settings = null, bool writeFile = true)
    {
        var world = new SelfRouteWorld();
        await world.Agent1.StartAsync();
        await world.Agent2.StartAsync();
        if (writeFile) WriteRouter(world.RouterFile, world.Agent1.Weights!, world.Agent2.Weights!);
        var all = new Dictionary<string, string?>
        {
            ["Gateway:SelfRoute:RouterFile"] = world.RouterFile,
            ["Gateway:SelfRoute:CheckIntervalSeconds"] = "0.2",
            ["Gateway:AdminKeys:0"] = AdminKey,
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        world.Factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = world.Agent1.Url, ["agent-2"] = world.Agent2.Url }, all);
        world.Client = world.Factory.CreateAuthorizedClient();
        return world;
    }

    /// <summary>Fits the router on 30 apples and 30 zebras and writes it, naming nano-1 and nano-2 by the given weights.</summary>
    public static void WriteRouter(string path, string weights1, string weights2)
    {
        var queries = Enumerable.Range(0, 30).SelectMany(i => new[]
        {
            new RoutedQuery($"apple orchard question {i} about red fruit", "apple", (i % 3).ToString()),
            new RoutedQuery($"zebra savanna puzzle {i} with striped animals", "zebra", (i % 3).ToString()),
        }).ToList();
        IReadOnlyList<bool> cheap = queries.Select(q => q.Family == "apple").ToArray();
        IReadOnlyList<bool> dear = queries.Select(_ => true).ToArray();
        new SelfRouteRouter(queries, [cheap, dear], new NGramFeatures(1 << 12))
            .ToFile([new SelfRouteAgent("nano-1", weights1, 0.1), new SelfRouteAgent("nano-2", weights2, 0.9)])
            .Save(path);
    }

    public Task<HttpResponseMessage> PostAsync(string content, string model = "disrouter-self-route", bool stream = false, Action<HttpRequestMessage>? configure = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
            ["stream"] = stream,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
        configure?.Invoke(request);
        return Client.SendAsync(request).WaitAsync(TestTimeouts.Request);
    }

    /// <summary>The routing metadata of a whole answer, or of a stream's last chunk that carries it.</summary>
    public static JsonNode Metadata(string text, bool stream) => stream
        ? JsonNode.Parse(text.Split('\n').Where(l => l.StartsWith("data: {") && l.Contains("\"disrouter\"")).Last()["data: ".Length..])!["disrouter"]!
        : JsonNode.Parse(text)!["disrouter"]!;

    public async Task<JsonNode> LedgerAsync()
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/ledger");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>GET /health as JSON: the overall status and the self-route check's status and description.</summary>
    public async Task<(string Status, string Check, string Description)> HealthAsync()
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var check = body["checks"]!.AsArray().Single(c => (string?)c!["name"] == "self-route")!;
        return ((string)body["status"]!, (string)check["status"]!, (string?)check["description"] ?? "");
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null) await Factory.DisposeAsync();
        await Agent1.DisposeAsync();
        await Agent2.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
