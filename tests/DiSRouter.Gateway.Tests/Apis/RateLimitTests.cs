using System.Net;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Apis;

public sealed class RateLimitTests
{
    [Fact]
    public async Task KeyOverItsBucketGets429WithRetryAfterWhileAnotherKeyStillPasses()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(), new()
        {
            ["Gateway:ApiKeys:1"] = "second-key",
            ["Gateway:RateLimit:Burst"] = "2",
            ["Gateway:RateLimit:RequestsPerSecond"] = "0.05", // one token per 20 s
        });
        using var first = factory.CreateAuthorizedClient();
        using var second = factory.CreateAuthorizedClient("second-key");

        for (var i = 0; i < 2; i++)
        {
            using var ok = await first.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var limited = await first.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);

        await BadRequestTests.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate limit");
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 20);
        using var other = await second.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task GatewayWithoutAnyKeyRefusesToStart()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(), new() { ["Gateway:ApiKeys:0"] = null });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("No API key", error.ToString());
    }
}
