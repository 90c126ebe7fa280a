using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiSRouter.ServiceDefaults.Tests;

/// <summary>One request is one trace across services: a service continues the caller's trace (W3C traceparent).</summary>
public sealed class TracingTests
{
    private static readonly TimeSpan Request = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task IncomingTraceparentIsContinued()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/trace", () => Activity.Current?.TraceId.ToHexString() ?? "none");
        await app.StartAsync().WaitAsync(Request);
        // The test's own client stands for a caller in another process: it sends the header as written.
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = new Uri(app.Urls.First()) };
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/trace");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        using var response = await client.SendAsync(request).WaitAsync(Request);

        Assert.Equal(traceId, await response.Content.ReadAsStringAsync());
        await app.StopAsync().WaitAsync(Request);
    }
}
