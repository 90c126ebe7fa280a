using DiSRouter.AppHost.Health;
using System.Text;
using DiSRouter.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiSRouter.AppHost.Tests.Health;

/// <summary>The AppHost's check of the gateway reads the status its /health reports, over real HTTP.</summary>
public sealed class GatewayHealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(200, """{"status":"Healthy","checks":[{"name":"self","status":"Healthy","description":null},{"name":"cascade","status":"Healthy","description":"All 3 agents have an available replica."}]}""", HealthStatus.Healthy, "All 3 agents")]
    [InlineData(200, """{"status":"Degraded","checks":[{"name":"self","status":"Healthy"},{"name":"cascade","status":"Degraded","description":"Down: agent-2 (2 of 3 agents up)"}]}""", HealthStatus.Degraded, "Down: agent-2")]
    [InlineData(503, """{"status":"Unhealthy","checks":[{"name":"cascade","status":"Unhealthy","description":"The entry agent agent-1 has no available replica"}]}""", HealthStatus.Unhealthy, "entry agent agent-1")]
    [InlineData(200, "Healthy", HealthStatus.Unhealthy, "not a health report")]
    [InlineData(404, """{"title":"Not Found"}""", HealthStatus.Unhealthy, "answered 404")]
    public async Task ReportedStatusBecomesTheResourcesHealth(int status, string body, HealthStatus expected, string reason)
    {
        string? accept = null;
        await using var gateway = new LoopbackHttpServer(async http =>
        {
            accept = http.Request.Headers["Accept"];
            http.Response.StatusCode = status;
            await http.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
        });
        var sut = new GatewayHealthCheck(() => new Uri(gateway.Url, "/health"), Clients());

        var result = await sut.CheckHealthAsync(new HealthCheckContext()).WaitAsync(Timeout);

        Assert.Equal(expected, result.Status);
        Assert.Contains(reason, result.Description);
        Assert.Equal("application/json", accept); // what makes the gateway's /health answer with its report
    }

    [Fact]
    public async Task GatewayThatCannotBeReachedIsUnhealthy()
    {
        var gone = new LoopbackHttpServer(_ => Task.CompletedTask);
        var address = new Uri(gone.Url, "/health");
        await gone.DisposeAsync(); // its port now refuses connections
        var sut = new GatewayHealthCheck(() => address, Clients());

        var result = await sut.CheckHealthAsync(new HealthCheckContext()).WaitAsync(Timeout);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("cannot be reached", result.Description);
    }

    private static IHttpClientFactory Clients() =>
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
}
