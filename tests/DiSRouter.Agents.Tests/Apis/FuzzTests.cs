using System.Diagnostics;
using System.Net;
using DiSRouter.Agents.Tests.Support;
using DiSRouter.Tests.Fuzzing;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// The gateway's fuzz pass (the same <see cref="RequestFuzzer"/>) sent straight to an agent's cascade and raw
/// endpoints over loopback, hop headers included, since an agent is reachable without the gateway in front. Seeded and
/// bounded; no reply is 5xx (but the loop guard's 508), every refusal is a problem+json, and the agent is healthy and answers afterwards.
/// </summary>
public sealed class FuzzTests(SingleAgent solo) : IClassFixture<SingleAgent>
{
    private const int Seed = 4242;
    private const int MaxRequests = 300;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task RandomAndMutatedRequestsNeverGet5xxAndLeaveTheAgentHealthy()
    {
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var statuses = new Dictionary<int, int>();
        var sent = 0;
        for (; sent < MaxRequests && clock.Elapsed < MaxTime; sent++)
        {
            using var request = RequestFuzzer.Request(random, sent, sent % 3 == 2 ? "/raw/v1/chat/completions" : "/v1/chat/completions");
            var description = $"#{sent} (seed {Seed}) {request.Method} {request.RequestUri} {request.Content?.Headers.ContentType}";
            using var response = await solo.Agent.Client.SendAsync(request).WaitAsync(TestTimeouts.Request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            // 508 is the loop guard's deliberate answer to a forged hop count of 16 or more (the gateway overwrites the header)
            Assert.True(status < 500 || (status == 508 && text.Contains("limit is 16")), $"{description} got {status}: {text}");
            if (status >= 400) Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{description} got {status} as {response.Content.Headers.ContentType}: {text}");
        }

        Assert.True(sent >= 50, $"only {sent} requests in {MaxTime}");
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 4, "the mix should be refused in several ways: " + string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(200) > 0, "some requests should pass: " + string.Join(", ", statuses));
        Assert.Equal(HttpStatusCode.OK, (await solo.Agent.Client.GetReplyAsync("/health")).Status);
        Assert.Equal(HttpStatusCode.OK, (await solo.Agent.Client.PostJsonAsync("/v1/chat/completions", Http.Chat("still there?"))).Status);
    }
}
