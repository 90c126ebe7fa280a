using System.Net;
using DiSRouter.Gateway.Tests.Apis;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Guard;

/// <summary>
/// Wrong keys are throttled per client address: past the limit every request from the address gets 429 with
/// Retry-After, a right key included (or a guesser would learn from the difference). 401s and 429s are counted in the
/// guard's meter, and each kind is logged once per address or key and interval, never with the key.
/// </summary>
public sealed class FailedAuthThrottleTests
{
    [Fact]
    public async Task AddressPastItsFailedAuthenticationsGets429ForEveryKeyUntilTheWindowEnds()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(), new()
        {
            ["Gateway:FailedAuth:MaxFailures"] = "5",
            ["Gateway:FailedAuth:WindowSeconds"] = "30",
        });
        using var guesser = factory.CreateAuthorizedClient("guess-0");
        using var owner = factory.CreateAuthorizedClient();
        var recorder = new MeterRecorder(factory.Services, "DiSRouter.Gateway.Guard");

        using (var before = await owner.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await guesser.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var throttled = await guesser.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
        using var ownerThrottled = await owner.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);

        await BadRequestTests.AssertProblemAsync(throttled, HttpStatusCode.TooManyRequests, "Too many failed authentications");
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        Assert.Equal(HttpStatusCode.TooManyRequests, ownerThrottled.StatusCode);
        Assert.Equal(5, recorder.Sum("disrouter.gateway.refusals", ("http.response.status_code", 401)));
        Assert.Equal(2, recorder.Sum("disrouter.gateway.refusals", ("disrouter.reason", "failed-authentications")));
        using var health = await factory.CreateClient().GetAsync("/alive").WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode); // health stays open to the probes
    }

    [Fact]
    public async Task FloodOfWrongKeysAndRateLimitedRequestsIsLoggedOncePerKeyAndIntervalWithoutTheKeys()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(), new()
        {
            ["Gateway:RateLimit:Burst"] = "2",
            ["Gateway:RateLimit:RequestsPerSecond"] = "0.01", // one token per 100 s: none comes back during the test
            ["Gateway:RepeatedLogIntervalSeconds"] = "3600",
        });
        using var owner = factory.CreateAuthorizedClient();
        var recorder = new MeterRecorder(factory.Services, "DiSRouter.Gateway.Guard");

        for (var i = 0; i < 40; i++)
        {
            using var guesser = factory.CreateAuthorizedClient("secret-guess-" + i);
            using var wrong = await guesser.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var limited = await owner.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
            Assert.Equal(i < 2 ? HttpStatusCode.OK : HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        Assert.Equal(40, recorder.Sum("disrouter.gateway.refusals", ("http.response.status_code", 401)));
        Assert.Equal(38, recorder.Sum("disrouter.gateway.refusals", ("disrouter.reason", "rate-limit")));
        var logs = factory.Logs.ToList();
        Assert.Single(logs, l => l.Contains("Failed authentication from"));
        Assert.Single(logs, l => l.Contains("Rate limit reached for key-"));
        Assert.DoesNotContain(logs, l => l.Contains("secret-guess") || l.Contains(GatewayFactory.ApiKey));
    }
}
