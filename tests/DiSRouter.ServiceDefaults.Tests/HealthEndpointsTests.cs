using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiSRouter.ServiceDefaults.Tests;

/// <summary>/health (ready: every check) and /alive (the process runs), as the AppHost and the container platform poll them.</summary>
public sealed class HealthEndpointsTests
{
    private static readonly TimeSpan Request = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FailingReadinessCheckFailsHealthButNotAliveness()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("model", () => HealthCheckResult.Unhealthy("no checkpoint loaded"));
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync().WaitAsync(Request);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var health = await client.GetAsync(Extensions.HealthEndpointPath).WaitAsync(Request);
        using var alive = await client.GetAsync(Extensions.AlivenessEndpointPath).WaitAsync(Request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        await app.StopAsync().WaitAsync(Request);
    }
}
