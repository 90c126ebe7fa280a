using System.Diagnostics;
using System.Net;
using DiSRouter.Gateway.Tests.Infrastructure;
using DiSRouter.Tests.Fuzzing;

namespace DiSRouter.Gateway.Tests.Apis;

/// <summary>
/// Random and mutated requests over loopback: bodies (valid ones with bytes flipped, cut, duplicated, wrapped; random
/// bytes; hostile JSON), headers (content types, α, scenario, hop count, keys) and encodings (UTF-16, Latin-1, a
/// claimed gzip). Seeded, so a failure replays; bounded in count and time. Every reply is below 500, every refusal a
/// problem+json, and the gateway is healthy and answers a valid request afterwards.
/// </summary>
public sealed class FuzzTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int Seed = 2112;
    private const int MaxRequests = 500;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RandomAndMutatedRequestsNeverGet5xxAndLeaveTheGatewayHealthy()
    {
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var statuses = new Dictionary<int, int>();
        var sent = 0;
        for (; sent < MaxRequests && clock.Elapsed < MaxTime; sent++)
        {
            using var request = RequestFuzzer.Request(random, sent);
            var description = $"#{sent} (seed {Seed}) {request.Method} {request.Content?.Headers.ContentType}";
            using var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead).WaitAsync(TestTimeouts.Request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{description} got {status}: {text}");
            if (status >= 400) Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{description} got {status} as {response.Content.Headers.ContentType}: {text}");
        }

        Assert.True(sent >= 100, $"only {sent} requests in {MaxTime}");
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 4, "the mix should be refused in several ways: " + string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(200) > 0, "some requests should pass: " + string.Join(", ", statuses));
        using var health = await fixture.Factory.CreateClient().GetAsync("/health").WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ok = await fixture.PostChatAsync(GatewayFixture.Chat());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
