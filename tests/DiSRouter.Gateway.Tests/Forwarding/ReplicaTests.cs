using System.Net;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Forwarding;

/// <summary>Several replicas of one agent behind service discovery (services:agent-1:http:0, :1): YARP balances and probes them.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public async Task TwoReplicasOfTheEntryAgentAreBothUsed()
    {
        await using var a = await new FakeAgent("agent-1").StartAsync();
        await using var b = await new FakeAgent("agent-1").StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = a.Url },
            new() { ["services:agent-1:http:1"] = b.Url.ToString() });
        using var client = factory.CreateAuthorizedClient();

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, a.Requests.Count); // round robin
        Assert.Equal(3, b.Requests.Count);
    }

    [Fact]
    public async Task DeadReplicaIsLeftOut()
    {
        await using var alive = await new FakeAgent("agent-1").StartAsync();
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = alive.Url }, new()
        {
            ["services:agent-1:http:1"] = $"http://127.0.0.1:{FailingAgentTests.ClosedPort()}",
            ["Gateway:Health:ProbeIntervalSeconds"] = "0.2",
        });
        using var client = factory.CreateAuthorizedClient();

        // Once a probe has found the dead replica, every request goes to the live one.
        var deadline = DateTime.UtcNow + TestTimeouts.Request;
        var inARow = 0;
        while (inARow < 4 && DateTime.UtcNow < deadline)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
            inARow = response.StatusCode == HttpStatusCode.OK ? inARow + 1 : 0;
            if (inARow == 0) await Task.Delay(100);
        }
        var before = alive.Requests.Count;
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat()).WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, inARow);
        Assert.Equal(before + 10, alive.Requests.Count);
    }

    private static StringContent Chat() => new(GatewayFixture.Chat().ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
