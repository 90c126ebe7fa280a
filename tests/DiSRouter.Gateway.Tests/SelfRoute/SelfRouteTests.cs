using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.SelfRoute;

/// <summary>
/// The gateway's Self-Route mode over real HTTP: the router file's choice is the agent that gets the request (told to
/// answer), the routing metadata and the ledger say what the router did, streamed or whole; a missing or stale file is a
/// 503 with the reason and a Degraded /health; a chosen agent that is down is stood in for, marked degraded.
/// </summary>
public sealed class SelfRouteTests
{
    [Theory]
    [InlineData(SelfRouteWorld.Apple, "agent-1")]
    [InlineData(SelfRouteWorld.Zebra, "agent-2")]
    public async Task SelfRouteAliasSendsTheQueryToTheAgentTheRouterPicksAndTellsItToAnswer(string query, string expected)
    {
        await using var world = await SelfRouteWorld.StartAsync();

        using var response = await world.PostAsync(query);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var (chosen, other) = expected == "agent-1" ? (world.Agent1, world.Agent2) : (world.Agent2, world.Agent1);
        var received = Assert.Single(chosen.Requests);
        Assert.Empty(other.Requests);
        Assert.Equal("self-route", received.Headers["X-DiSRouter-Routed-By"]);
        Assert.Equal("0", received.Headers["X-DiSRouter-Hops"]);
        Assert.Equal(0.5, received.Alpha);
        Assert.Equal(expected, response.Headers.GetValues("X-DiSRouter-Answered-By").Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MetadataAndLedgerCarryTheModeTheStatementTheChoiceAndTheRoutersTime(bool stream)
    {
        await using var world = await SelfRouteWorld.StartAsync();
        var recorder = new MeterRecorder(world.Factory.Services, "DiSRouter.Gateway");

        using var response = await world.PostAsync(SelfRouteWorld.Zebra, stream: stream);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var metadata = SelfRouteWorld.Metadata(text, stream);
        var router = metadata["router"]!;
        Assert.Equal("self-route", (string?)router["mode"]);
        Assert.Equal("zebra", (string?)router["family"]);
        Assert.Equal("1", (string?)router["difficulty"]); // 1000 % 3: the heads learnt i % 3 from the digits
        Assert.Equal("agent-2", (string?)router["chosen"]);
        Assert.Equal("nano-2", (string?)router["chosen_model"]);
        Assert.Equal("agent-2", (string?)router["forwarded_to"]);
        Assert.Equal(11.0 / 12, (double)router["expected_accuracy"]!, 4); // the (zebra, 1) cell: 10 of 10 right, Laplace-smoothed
        var routerMs = (double)router["router_ms"]!;
        Assert.InRange(routerMs, 0, 1000);
        var path = metadata["path"]!.AsArray();
        Assert.Equal(["self-route", "agent-2"], path.Select(h => (string?)h!["agent"]));
        Assert.Equal(["route", "answer"], path.Select(h => (string?)h!["decision"]));
        Assert.Equal(0, (double)path[0]!["cost"]!);
        Assert.Equal(0.9, (double)metadata["cost"]!); // charged: the answering agent's, the router's call adds no cost
        Assert.Null(metadata["degraded"]);
        if (stream)
        {
            var content = string.Concat(text.Split('\n').Where(l => l.StartsWith("data: {"))
                .Select(l => (string?)JsonNode.Parse(l["data: ".Length..])!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]));
            Assert.Equal(FakeAgent.AnswerText, content);
            Assert.EndsWith("data: [DONE]", text.TrimEnd());
        }

        var entry = (await world.LedgerAsync())["recent"]!.AsArray().Single()!;
        Assert.Equal(("self-route", "agent-2", 0.9, 2, stream), ((string?)entry["router"], (string?)entry["answered_by"], (double)entry["cost"]!, (int)entry["hops"]!, (bool)entry["streamed"]!));
        var timed = Assert.Single(recorder.Measurements, m => m.Instrument == "disrouter.gateway.router.duration");
        Assert.Equal("agent-2", timed.Tags["disrouter.router.chosen"]);
        Assert.Equal(routerMs / 1000, timed.Value, 6);
    }

    [Fact]
    public async Task StreamedAnswerArrivesWordByWordThroughTheRewrite()
    {
        await using var world = await SelfRouteWorld.StartAsync();
        world.Agent1.StreamDelay = TimeSpan.FromMilliseconds(150);

        var clock = Stopwatch.StartNew();
        using var response = await world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonObject
            {
                ["model"] = "disrouter-self-route", ["stream"] = true,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = SelfRouteWorld.Apple }),
            }),
        }, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Request);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstText = TimeSpan.Zero;
        while (await reader.ReadLineAsync().WaitAsync(TestTimeouts.Request) is { } line)
            if (firstText == TimeSpan.Zero && line.StartsWith("data: {") && line.Contains("\"content\":\"Let"))
                firstText = clock.Elapsed;
        var whole = clock.Elapsed;

        // Fourteen words at 150 ms each: the first reaches the client long before the last is written.
        Assert.NotEqual(TimeSpan.Zero, firstText);
        Assert.True(whole - firstText > TimeSpan.FromSeconds(1), $"first text at {firstText}, whole answer at {whole}: the stream was held back");
    }

    [Fact]
    public async Task StaleRouterFileGets503WithTheReasonAndHealthSaysDegraded()
    {
        await using var world = await SelfRouteWorld.StartAsync();
        world.Agent2.Weights = "retrained-weights";
        await WaitForAsync(world, "Degraded");

        using var response = await world.PostAsync(SelfRouteWorld.Apple);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "is stale: agent-2 serves weights retrained-weights");
        Assert.Empty(world.Agent1.Requests);
        var health = await world.HealthAsync();
        Assert.Equal(("Degraded", "Degraded"), (health.Status, health.Check));
        Assert.Contains("fit self-route", health.Description);
        // The cascade still answers its own aliases.
        using var cascade = await world.PostAsync(SelfRouteWorld.Apple, model: "disrouter");
        Assert.Equal(HttpStatusCode.OK, cascade.StatusCode);

        // Refitted for the agents as they are now: the mode serves again without a restart.
        SelfRouteWorld.WriteRouter(world.RouterFile, world.Agent1.Weights!, "retrained-weights");
        await WaitForAsync(world, "Healthy");
        using var again = await world.PostAsync(SelfRouteWorld.Apple);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task MissingRouterFileGets503WithTheReasonAndHealthSaysDegraded()
    {
        await using var world = await SelfRouteWorld.StartAsync(writeFile: false);

        using var response = await world.PostAsync(SelfRouteWorld.Apple, model: "disrouter-self-route-cost-first");

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, $"{world.RouterFile} does not exist");
        var health = await world.HealthAsync();
        Assert.Equal(("Degraded", "Degraded"), (health.Status, health.Check));
        Assert.Contains("does not exist", health.Description);
    }

    [Fact]
    public async Task WithoutARouterFileSettingTheAliasSaysSoAndHealthIsUnaffected()
    {
        await using var world = await SelfRouteWorld.StartAsync(new() { ["Gateway:SelfRoute:RouterFile"] = "" });

        using var response = await world.PostAsync(SelfRouteWorld.Apple);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Self-Route is not configured");
        Assert.Equal("Healthy", (await world.HealthAsync()).Check);
    }

    [Fact]
    public async Task ChosenAgentThatIsDownIsStoodInForAndTheAnswerIsMarkedDegraded()
    {
        // Probes and checks far apart: the gateway learns that agent-2 is gone only when it forwards to it.
        await using var world = await SelfRouteWorld.StartAsync(new()
        {
            ["Gateway:SelfRoute:CheckIntervalSeconds"] = "600",
            ["Gateway:Health:ProbeIntervalSeconds"] = "600",
        });
        using (var warm = await world.PostAsync(SelfRouteWorld.Zebra)) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        await world.Agent2.DisposeAsync();

        foreach (var stream in new[] { false, true })
        {
            using var response = await world.PostAsync(SelfRouteWorld.Zebra, stream: stream);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var degraded = response.Headers.GetValues("X-DiSRouter-Degraded").Single();
            // Neither probe nor check has run since agent-2 went: the forward itself failed, and agent-1 took it over.
            Assert.StartsWith("skipped agent-2 (self-route's choice: could not be reached)", degraded);
            Assert.EndsWith("agent-1 answered", degraded);
            var metadata = SelfRouteWorld.Metadata(text, stream);
            Assert.Equal(degraded, (string?)metadata["degraded"]);
            Assert.Equal(("agent-2", "agent-1"), ((string?)metadata["router"]!["chosen"], (string?)metadata["router"]!["forwarded_to"]));
            Assert.Equal("agent-1", (string?)metadata["answered_by"]);
        }
        Assert.Equal(2, world.Agent1.Requests.Count);
    }

    [Fact]
    public async Task WhenNoAgentCanStandInTheAnswerIs503WithRetryAfter()
    {
        await using var world = await SelfRouteWorld.StartAsync(new()
        {
            ["Gateway:SelfRoute:CheckIntervalSeconds"] = "600",
            ["Gateway:Health:ProbeIntervalSeconds"] = "600",
        });
        using (var warm = await world.PostAsync(SelfRouteWorld.Zebra)) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        await world.Agent1.DisposeAsync();
        await world.Agent2.DisposeAsync();

        using var response = await world.PostAsync(SelfRouteWorld.Zebra);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Self-Route chose agent-2, and no agent it routes among has an available replica");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ChosenAgentDownWithRefusePolicyGets503WithRetryAfter()
    {
        await using var world = await SelfRouteWorld.StartAsync(new()
        {
            ["Gateway:DegradedAnswers"] = "Refuse",
            ["Gateway:Health:ProbeIntervalSeconds"] = "0.3",
        });
        using (var warm = await world.PostAsync(SelfRouteWorld.Zebra)) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        await world.Agent2.DisposeAsync();
        await WaitForAsync(world, "Degraded", overall: true); // the probe has seen agent-2 go

        using var response = await world.PostAsync(SelfRouteWorld.Zebra);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Gateway:DegradedAnswers is Refuse");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(world.Agent1.Requests);
    }

    [Fact]
    public async Task ClientCannotTellAnAgentToSkipItsDecision()
    {
        await using var world = await SelfRouteWorld.StartAsync();

        using var response = await world.PostAsync(SelfRouteWorld.Zebra, model: "disrouter",
            configure: r => r.Headers.Add("X-DiSRouter-Routed-By", "self-route"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(world.Agent1.Last.Headers.ContainsKey("X-DiSRouter-Routed-By"));
    }

    [Fact]
    public async Task ModelsListsTheSelfRouteAliases()
    {
        await using var world = await SelfRouteWorld.StartAsync();

        var models = JsonNode.Parse(await world.Client.GetStringAsync("/v1/models").WaitAsync(TestTimeouts.Request))!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();

        Assert.Contains("disrouter-self-route", models);
        Assert.Contains("disrouter-self-route-cost-first", models);
        Assert.Contains("disrouter-balance", models);
    }

    /// <summary>Polls /health until the self-route check (or, with <paramref name="overall"/>, the whole report) says <paramref name="status"/>.</summary>
    private static async Task WaitForAsync(SelfRouteWorld world, string status, bool overall = false)
    {
        var clock = Stopwatch.StartNew();
        (string Status, string Check, string Description) last = default;
        while (clock.Elapsed < TestTimeouts.Request)
        {
            last = await world.HealthAsync();
            if ((overall ? last.Status : last.Check) == status) return;
            await Task.Delay(100);
        }
        Assert.Fail($"/health never said {status}; last: {last}");
    }
}
