using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Ledger;

/// <summary>
/// The ledger books, per key and per request, the cost charged (the answering agent's) and the compute spent (every
/// hop's tokens, the rejecting hop's included), for whole and streamed answers alike; a key past its budget gets 402;
/// GET /admin/ledger shows it all to an admin key only.
/// </summary>
public sealed class CostLedgerTests
{
    private const string AdminKey = "admin-key";

    [Fact]
    public async Task WholeAndStreamedAnswersAreBookedWithEveryHopsTokensAndTheAnsweringAgentsCost()
    {
        await using var agent = await new FakeAgent("agent-1", cost: 0.25) { PathBefore = RejectingHop }.StartAsync();
        await using var factory = Gateway(agent, new() { ["Gateway:AdminKeys:0"] = AdminKey });
        using var client = factory.CreateAuthorizedClient();
        var recorder = new MeterRecorder(factory.Services, "DiSRouter.Gateway.Guard");

        foreach (var stream in new[] { false, true })
        {
            using var response = await client.PostAsync("/v1/chat/completions", Body(stream)).WaitAsync(TestTimeouts.Request);
            await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var ledger = await LedgerAsync(factory, AdminKey);
        var key = ledger["keys"]!.AsArray().Single()!;
        Assert.StartsWith("key-", (string?)key["key_id"]);
        Assert.Equal(2, (long)key["requests"]!);
        Assert.Equal(0.5, (double)key["cost"]!, 9);
        Assert.Equal(2 * (30 + 10), (long)key["prompt_tokens"]!); // the rejecting hop's prompt pass counts
        Assert.Equal(2 * (1 + 20), (long)key["completion_tokens"]!);
        var recent = ledger["recent"]!.AsArray();
        Assert.Equal([false, true], recent.Select(r => (bool)r!["streamed"]!));
        Assert.All(recent, r => Assert.Equal("agent-1", (string?)r!["answered_by"]));
        Assert.All(recent, r => Assert.Equal(2, (int)r!["hops"]!));
        Assert.Equal(0.5, recorder.Sum("disrouter.gateway.ledger.cost"), 9);
        Assert.Equal(80, recorder.Sum("disrouter.gateway.ledger.tokens", ("disrouter.token.type", "prompt")));
        Assert.DoesNotContain(GatewayFactory.ApiKey, ledger.ToJsonString());
    }

    [Fact]
    public async Task KeyPastItsBudgetGets402WhileAnotherKeyStillPasses()
    {
        await using var agent = await new FakeAgent("agent-1", cost: 0.4).StartAsync();
        await using var factory = Gateway(agent, new()
        {
            ["Gateway:ApiKeys:1"] = "rich-key",
            ["Gateway:Ledger:DefaultBudget"] = "1.0",
            ["Gateway:AdminKeys:0"] = AdminKey,
        });
        using var client = factory.CreateAuthorizedClient();
        using var rich = factory.CreateAuthorizedClient("rich-key");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Body(false)).WaitAsync(TestTimeouts.Request);
            statuses.Add(response.StatusCode);
            if (i == 3) await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.PaymentRequired, "budget of this API key (1 cost units) is spent (1.2 charged)");
        }
        using var other = await rich.PostAsync("/v1/chat/completions", Body(false)).WaitAsync(TestTimeouts.Request);

        // 0.4 + 0.4 + 0.4 = 1.2 ≥ 1.0: the third request is the last one let through (a budget is checked before a request, charged after)
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.PaymentRequired], statuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var spentKey = (await LedgerAsync(factory, AdminKey))["keys"]!.AsArray().Single(k => (long)k!["requests"]! == 3)!;
        Assert.Equal(0, (double)spentKey["remaining"]!);
    }

    [Fact]
    public async Task LedgerIsClosedToApiKeysAndToEveryoneWhenNoAdminKeyIsSet()
    {
        await using var agent = await new FakeAgent("agent-1").StartAsync();
        await using (var open = Gateway(agent, new() { ["Gateway:AdminKeys:0"] = AdminKey }))
        {
            using var withApiKey = await GetLedgerAsync(open, GatewayFactory.ApiKey);
            await BadRequestTests.AssertProblemAsync(withApiKey, HttpStatusCode.Unauthorized, "admin key is not valid");
            using var without = await GetLedgerAsync(open, null);
            await BadRequestTests.AssertProblemAsync(without, HttpStatusCode.Unauthorized, "Missing admin key");
        }
        await using var closed = Gateway(agent, []);
        using var none = await GetLedgerAsync(closed, "anything");
        await BadRequestTests.AssertProblemAsync(none, HttpStatusCode.Forbidden, "No admin key is configured");
    }

    private static JsonArray RejectingHop() =>
    [
        new JsonObject
        {
            ["agent"] = "agent-0", ["model"] = "nano-agent-0", ["decision"] = "reject", ["latency_ms"] = 3.0, ["model_ms"] = 2.5,
            ["prompt_tokens"] = 30, ["completion_tokens"] = 1, ["cost"] = 0.05,
        },
    ];

    private static GatewayFactory Gateway(FakeAgent agent, Dictionary<string, string?> settings) =>
        new(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, settings);

    private static StringContent Body(bool stream) =>
        new(GatewayFixture.Chat().ToJsonString().TrimEnd('}') + (stream ? ",\"stream\":true}" : "}"), Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> GetLedgerAsync(GatewayFactory factory, string? key)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/ledger");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request).WaitAsync(TestTimeouts.Request);
    }

    private static async Task<JsonNode> LedgerAsync(GatewayFactory factory, string key)
    {
        using var response = await GetLedgerAsync(factory, key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }
}
