using System.Net;
using System.Net.Sockets;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

public sealed class FailingAgentTests
{
    [Fact]
    public async Task AgentThatIsDownGets502ThenIsLeftOutWith503AndRetryAfter()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = new($"http://127.0.0.1:{ClosedPort()}") },
            new() { ["Gateway:Health:ProbeIntervalSeconds"] = "0.2" });
        using var client = factory.CreateAuthorizedClient();

        // A refused connection is a 502 naming the agent, until YARP's health probe leaves the only replica out: then
        // 503 at once, with when to retry.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? leftOut = null;
        for (var i = 0; i < 40 && leftOut is null; i++)
        {
            if (i > 0) await Task.Delay(50);
            var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) leftOut = response;
            else await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.BadGateway, "agent-1 could not be reached");
        }

        Assert.True(leftOut is not null, $"Never left out: {string.Join(", ", statuses)}");
        Assert.InRange(leftOut.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 1);
        await BadRequestTests.AssertProblemAsync(leftOut, HttpStatusCode.ServiceUnavailable, "agent-1 has no healthy replica");
    }

    [Fact]
    public async Task AgentWithoutAnAddressGetsAProblemNamingIt()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(),
            new() { ["Gateway:EntryAgent"] = "agent-9" });
        using var client = factory.CreateAuthorizedClient();

        using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);

        // The name goes out as a host name (service discovery's pass-through) and resolves nowhere: 502, or 503 once
        // the health probe has found the same.
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable });
        await BadRequestTests.AssertProblemAsync(response, response.StatusCode, "agent-9");
    }

    [Fact]
    public async Task SlowAgentGives504AfterTheAgentTimeout()
    {
        await using var agent = await new FakeAgent("agent-1").StartAsync();
        agent.Respond = _ => { Thread.Sleep(3000); return Microsoft.AspNetCore.Http.Results.Ok(); };
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url },
            new() { ["Gateway:AgentTimeoutSeconds"] = "0.5" });
        using var client = factory.CreateAuthorizedClient();

        using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);

        await BadRequestTests.AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, "did not answer within 0.5 s");
    }

    private static StringContent Chat() => new(GatewayFixture.Chat().ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>A port nobody listens on: bound, read, released.</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
