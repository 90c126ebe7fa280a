using DiSRouter.Gateway.Tests.Infrastructure;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;

namespace DiSRouter.ServiceDefaults.Tests;

/// <summary>The HttpClient pipeline every service gets from AddServiceDefaults, against real loopback servers.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Request = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FailedGetIsRetriedUntilItSucceeds()
    {
        await using var server = await new LoopbackServer((http, n) =>
        {
            http.Response.StatusCode = n < 3 ? 503 : 200;
            return Task.CompletedTask;
        }).StartAsync();
        using var host = Host(new() { ["services:flaky:http:0"] = server.Url.ToString() });

        using var response = await Client(host).GetAsync("http://flaky/x").WaitAsync(Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, server.Count);
    }

    [Fact]
    public async Task FailedPostIsNeverSentTwice()
    {
        await using var server = await new LoopbackServer((http, _) =>
        {
            http.Response.StatusCode = 503;
            return Task.CompletedTask;
        }).StartAsync();
        using var host = Host(new() { ["services:model:http:0"] = server.Url.ToString() });

        using var response = await Client(host).PostAsync("http://model/v1/chat/completions", new StringContent("{}")).WaitAsync(Request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, server.Count);
    }

    [Fact]
    public async Task SlowModelIsNotCutAtTheStandardTenSeconds()
    {
        // A small model on a CPU may well think for longer than Aspire's standard attempt timeout (10 s).
        await using var server = await new LoopbackServer(async (http, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(11));
            await http.Response.WriteAsync("late but whole");
        }).StartAsync();
        using var host = Host(new() { ["services:slow:http:0"] = server.Url.ToString() });

        using var response = await Client(host).PostAsync("http://slow/v1/chat/completions", new StringContent("{}")).WaitAsync(Request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("late but whole", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitOfThatDestinationOnly()
    {
        await using var healthy = await new LoopbackServer((_, _) => Task.CompletedTask).StartAsync();
        using var host = Host(new()
        {
            ["services:dead:http:0"] = $"http://127.0.0.1:{ClosedPort()}",
            ["services:alive:http:0"] = healthy.Url.ToString(),
            ["HttpResilience:CircuitBreaker:MinimumThroughput"] = "3",
        });
        var client = Client(host);

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("http://dead/", null).WaitAsync(Request));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.PostAsync("http://dead/", null).WaitAsync(Request));

        using var other = await client.PostAsync("http://alive/", null).WaitAsync(Request);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task TraceContextIsSentByDefault()
    {
        string? traceparent = null;
        await using var server = await new LoopbackServer((http, _) =>
        {
            traceparent = http.Request.Headers.TraceParent;
            return Task.CompletedTask;
        }).StartAsync();
        using var host = Host(new() { ["services:peer:http:0"] = server.Url.ToString() });
        using var activity = new System.Diagnostics.Activity("test").Start();

        using var response = await Client(host).GetAsync("http://peer/").WaitAsync(Request);

        Assert.StartsWith($"00-{activity.TraceId.ToHexString()}-", traceparent);
    }

    internal static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["HttpResilience:Retry:Delay"] = "00:00:00.010";
        builder.AddServiceDefaults();
        return builder.Build();
    }

    internal static HttpClient Client(IHost host) => host.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

    /// <summary>A port nobody listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
