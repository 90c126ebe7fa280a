using System.Net;
using System.Net.Sockets;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

public sealed class FailingAgentTests
{
    [Fact]
    public async Task AgentThatIsDownGives502ThenTheOpenCircuitGives503()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = new($"http://127.0.0.1:{ClosedPort()}") },
            new() { ["HttpResilience:CircuitBreaker:MinimumThroughput"] = "2", ["HttpResilience:CircuitBreaker:BreakDuration"] = "00:00:30" });
        using var client = factory.CreateAuthorizedClient();

        // Refused connections count against the agent until its circuit opens; then it is refused at once.
        using var first = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
        await BadRequestTests.AssertProblemAsync(first, HttpStatusCode.BadGateway, "agent-1 could not be reached");
        using var second = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);

        using var third = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
        await BadRequestTests.AssertProblemAsync(third, HttpStatusCode.ServiceUnavailable, "failed repeatedly");
        Assert.InRange(third.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
    }

    [Fact]
    public async Task AgentWithoutAnAddressGives502NamingTheSetting()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(),
            new() { ["Gateway:EntryAgent"] = "agent-9" });
        using var client = factory.CreateAuthorizedClient();

        using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task SlowAgentGives504AfterTheAttemptTimeout()
    {
        await using var agent = await new FakeAgent("agent-1").StartAsync();
        agent.Respond = _ => { Thread.Sleep(3000); return Microsoft.AspNetCore.Http.Results.Ok(); };
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent.Url },
            new() { ["HttpResilience:AttemptTimeout:Timeout"] = "00:00:00.500" });
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
