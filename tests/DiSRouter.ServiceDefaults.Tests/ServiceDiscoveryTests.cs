using DiSRouter.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace DiSRouter.ServiceDefaults.Tests;

/// <summary>Aspire's key scheme (<c>services:{name}:{endpoint}:{i}</c>, as the AppHost's WithReference writes it), end to end.</summary>
public sealed class ServiceDiscoveryTests
{
    private static readonly TimeSpan Request = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ServiceNameReachesTheConfiguredAddress()
    {
        await using var server = await new LoopbackServer((http, _) => http.Response.WriteAsync(http.Request.Path + http.Request.QueryString)).StartAsync();
        using var host = ResilienceTests.Host(new() { ["services:agent-2:http:0"] = server.Url.ToString() });

        var body = await ResilienceTests.Client(host).GetStringAsync("http://agent-2/v1/chat/completions?x=1").WaitAsync(Request);

        Assert.Equal("/v1/chat/completions?x=1", body);
    }

    [Fact]
    public async Task SeveralReplicasOfOneServiceEachGetRequests()
    {
        await using var first = await new LoopbackServer((http, _) => http.Response.WriteAsync("1")).StartAsync();
        await using var second = await new LoopbackServer((http, _) => http.Response.WriteAsync("2")).StartAsync();
        using var host = ResilienceTests.Host(new()
        {
            ["services:agent-3:http:0"] = first.Url.ToString(),
            ["services:agent-3:http:1"] = second.Url.ToString(),
        });
        var client = ResilienceTests.Client(host);

        var answers = new HashSet<string>();
        for (var i = 0; i < 8; i++) answers.Add(await client.GetStringAsync("http://agent-3/").WaitAsync(Request));

        Assert.Equal(["1", "2"], answers.Order());
    }

    [Fact]
    public async Task ServiceWithoutAnAddressFailsTheCallNamingTheService()
    {
        using var host = ResilienceTests.Host([]);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ResilienceTests.Client(host).GetAsync("https+http://agent-7/").WaitAsync(Request));

        Assert.Contains("agent-7", error.ToString());
    }
}
