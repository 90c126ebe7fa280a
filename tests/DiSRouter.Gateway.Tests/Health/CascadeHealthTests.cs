using System.Diagnostics;
using System.Net;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Health;

/// <summary>
/// The gateway's /health reports the cascade: Healthy with every agent up, Degraded with one down (still 200, the
/// reason in the body), Unhealthy (503) with the entry agent down; /alive stays Healthy throughout (the process runs).
/// </summary>
public sealed class CascadeHealthTests
{
    [Fact]
    public async Task HealthFollowsTheAgentsWhileAliveStaysHealthy()
    {
        var agent1 = await new FakeAgent("agent-1").StartAsync();
        var agent2 = await new FakeAgent("agent-2").StartAsync();
        var running = new List<FakeAgent> { agent1, agent2 };
        await using var factory = new GatewayFactory(new Dictionary<string, Uri> { ["agent-1"] = agent1.Url, ["agent-2"] = agent2.Url }, new()
        {
            ["Gateway:Health:ProbeIntervalSeconds"] = "0.5",
            ["Gateway:Health:ProbeTimeoutSeconds"] = "1",
        });
        using var client = factory.CreateClient();
        try
        {
            // the first probe may still be on its way when the gateway starts: wait for it to find both agents up
            Assert.Equal(HttpStatusCode.OK, (await WaitForAsync(client, "Healthy")).Status);

            await StopAsync(running, agent2);
            var degraded = await WaitForAsync(client, "Degraded");
            Assert.Equal(HttpStatusCode.OK, degraded.Status);
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client, "/alive"));

            await StopAsync(running, agent1);
            var unhealthy = await WaitForAsync(client, "Unhealthy");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.Status);
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client, "/alive"));
        }
        finally
        {
            foreach (var agent in running) await agent.DisposeAsync();
        }
    }

    private static async Task StopAsync(List<FakeAgent> running, FakeAgent agent)
    {
        running.Remove(agent);
        await agent.DisposeAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path).WaitAsync(TestTimeouts.Request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls /health until it says <paramref name="status"/>: the probes run every half second.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> WaitForAsync(HttpClient client, string status)
    {
        var clock = Stopwatch.StartNew();
        (HttpStatusCode, string) last = default;
        while (clock.Elapsed < TestTimeouts.Request)
        {
            last = await HealthAsync(client, "/health");
            if (last.Item2 == status) return last;
            await Task.Delay(100);
        }
        Assert.Fail($"/health never said {status}; last: {last}");
        return last;
    }
}
