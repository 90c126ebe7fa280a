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

    [Fact]
    public async Task HealthAnswersJsonWithEachChecksReasonToACallerThatAsksForIt()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("cascade", () => HealthCheckResult.Degraded("Down: agent-2"));
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync().WaitAsync(Request);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Get, Extensions.HealthEndpointPath);
        request.Headers.Accept.ParseAdd("application/json");

        using var json = await client.SendAsync(request).WaitAsync(Request);
        var text = await client.GetStringAsync(Extensions.HealthEndpointPath).WaitAsync(Request);

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        var report = System.Text.Json.Nodes.JsonNode.Parse(await json.Content.ReadAsStringAsync())!;
        Assert.Equal("Degraded", (string?)report["status"]);
        var cascade = Assert.Single(report["checks"]!.AsArray(), c => (string?)c!["name"] == "cascade")!;
        Assert.Equal(("Degraded", "Down: agent-2"), ((string?)cascade["status"], (string?)cascade["description"]));
        Assert.Equal("Degraded", text); // plain text for everyone else, as before
        await app.StopAsync().WaitAsync(Request);
    }
}
