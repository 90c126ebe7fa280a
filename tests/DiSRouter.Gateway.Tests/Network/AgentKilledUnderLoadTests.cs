using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace DiSRouter.Gateway.Tests.Network;

/// <summary>
/// A middle agent (agent-3) of the committed nano network killed while requests run through the gateway: no request
/// fails, the ones that would have passed it are answered further on and marked "skipped agent-3", and the gateway's
/// /health turns Degraded. Bounded: 24 requests, 3 at a time, 3 minutes at most.
/// </summary>
public sealed class AgentKilledUnderLoadTests(NanoNetwork network) : IClassFixture<NanoNetwork>
{
    // At α = 0 agent-1 and agent-2 reject both, so each passes agent-3 (one answered by agent-4, one by agent-5).
    private static readonly string[] Queries = ["Spell cat backwards.", "What is 1234+5678?"];

    [Fact]
    public async Task MiddleAgentKilledUnderLoadFailsNoRequestAndMarksTheSkips()
    {
        const int total = 24, concurrency = 3, killAfter = 6;
        var results = new ConcurrentBag<(int Index, HttpStatusCode Status, string? Degraded, string Body)>();
        var done = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                var body = $"{{\"alpha\":0.0,\"messages\":[{{\"role\":\"user\",\"content\":\"{Queries[i % Queries.Length]}\"}}]}}";
                using var response = await network.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                var degraded = response.Headers.TryGetValues("X-DiSRouter-Degraded", out var v) ? string.Join("; ", v) : null;
                results.Add((i, response.StatusCode, degraded, await response.Content.ReadAsStringAsync()));
                if (Interlocked.Increment(ref done) == killAfter) network.Kill("agent-3");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));

        Assert.Equal(total, results.Count);
        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, $"request {r.Index}: {r.Status} {r.Body}"));
        // every request sent once the kill was seen and passed agent-3's place skipped it, and said so; one answered
        // by agent-1 or agent-2 never reached it and is not degraded
        var late = results.Where(r => r.Index >= killAfter + concurrency).ToList();
        Assert.Contains(late, r => r.Degraded == "skipped agent-3");
        Assert.All(late, r => Assert.True(r.Degraded == "skipped agent-3" || !r.Body.Contains("\"agent-3\""),
            $"request {r.Index} passed agent-3's place without saying it skipped it: {r.Degraded ?? "no mark"}, {r.Body}"));
        Assert.All(results.Where(r => r.Degraded is null), r => Assert.Contains("\"agent-3\"", r.Body));

        using var health = await network.Gateway.CreateClient().GetAsync("/health");
        var deadline = Stopwatch.StartNew();
        var status = await health.Content.ReadAsStringAsync();
        while (status != "Degraded" && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250);
            using var again = await network.Gateway.CreateClient().GetAsync("/health");
            status = await again.Content.ReadAsStringAsync();
        }
        Assert.Equal("Degraded", status);
    }
}
