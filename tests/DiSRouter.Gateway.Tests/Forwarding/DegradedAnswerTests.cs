using System.Net;
using System.Text.Json.Nodes;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Forwarding;

/// <summary>
/// An answer the cascade marked degraded (X-DiSRouter-Degraded, before the body) reaches the client marked, in the
/// header and the routing metadata, streamed or whole; with Gateway:DegradedAnswers = Refuse it becomes 503 with
/// Retry-After instead.
/// </summary>
public sealed class DegradedAnswerTests
{
    private const string Skipped = "skipped agent-3";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DegradedAnswerIsMarkedInTheHeaderAndTheMetadata(bool stream)
    {
        await using var agent = await new FakeAgent("agent-1") { Degraded = Skipped }.StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url });
        using var client = factory.CreateAuthorizedClient();
        var recorder = new MeterRecorder(factory.Services, "DiSRouter.Gateway.Guard");

        using var response = await client.PostAsync("/v1/chat/completions", Body(stream)).WaitAsync(TestTimeouts.Request);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Skipped, response.Headers.GetValues("X-DiSRouter-Degraded").Single());
        var metadata = stream
            ? JsonNode.Parse(text.Split("\n").Where(l => l.StartsWith("data: {")).Last()["data: ".Length..])!["disrouter"]
            : JsonNode.Parse(text)!["disrouter"];
        Assert.Equal(Skipped, (string?)metadata!["degraded"]);
        Assert.Equal(1, recorder.Sum("disrouter.gateway.degraded", ("disrouter.degraded.action", "answered")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RefusePolicyTurnsADegradedAnswerInto503WithRetryAfter(bool stream)
    {
        await using var agent = await new FakeAgent("agent-1") { Degraded = "agent-4 answered after rejecting: no successor reachable (agent-5)" }.StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, new()
        {
            ["Gateway:DegradedAnswers"] = "Refuse",
            ["Gateway:Health:ProbeIntervalSeconds"] = "7",
        });
        using var client = factory.CreateAuthorizedClient();

        using var response = await client.PostAsync("/v1/chat/completions", Body(stream)).WaitAsync(TestTimeouts.Request);

        await Apis.BadRequestTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "no successor reachable (agent-5)");
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AnswerAsDesignedCarriesNoDegradedMark()
    {
        await using var agent = await new FakeAgent("agent-1").StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url }, new() { ["Gateway:DegradedAnswers"] = "Refuse" });
        using var client = factory.CreateAuthorizedClient();

        using var response = await client.PostAsync("/v1/chat/completions", Body(false)).WaitAsync(TestTimeouts.Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-DiSRouter-Degraded"));
    }

    private static StringContent Body(bool stream) =>
        new(GatewayFixture.Chat().ToJsonString().TrimEnd('}') + (stream ? ",\"stream\":true}" : "}"), System.Text.Encoding.UTF8, "application/json");
}
