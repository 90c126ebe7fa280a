using DiSRouter.ServiceDefaults.ServiceDiscovery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DiSRouter.Gateway.Tests.ServiceDefaults;

/// <summary>Aspire's key scheme, read back through the public resolver that AddServiceDefaults registers.</summary>
public sealed class ServiceDiscoveryTests
{
    [Fact]
    public void ServiceNameResolvesToTheConfiguredAddress()
    {
        var sut = Resolver(new() { ["services:agent-2:http:0"] = "http://127.0.0.1:5102" });

        Assert.True(sut.TryResolve(new Uri("http://agent-2/v1/chat/completions?x=1"), out var physical));

        Assert.Equal("http://127.0.0.1:5102/v1/chat/completions?x=1", physical.ToString());
    }

    [Fact]
    public void HttpsPlusHttpPrefersHttpsAndFallsBackToHttp()
    {
        var both = Resolver(new() { ["services:a:http:0"] = "http://127.0.0.1:1", ["services:a:https:0"] = "https://127.0.0.1:2" });
        var httpOnly = Resolver(new() { ["services:a:http:0"] = "http://127.0.0.1:1" });

        Assert.True(both.TryResolve(new Uri("https+http://a/x"), out var preferred));
        Assert.True(httpOnly.TryResolve(new Uri("https+http://a/x"), out var fallback));

        Assert.Equal("https://127.0.0.1:2/x", preferred.ToString());
        Assert.Equal("http://127.0.0.1:1/x", fallback.ToString());
    }

    [Fact]
    public void NamedEndpointIsChosenByTheUnderscorePrefix()
    {
        var sut = Resolver(new() { ["services:a:http:0"] = "http://127.0.0.1:1", ["services:a:metrics:0"] = "127.0.0.1:9" });

        Assert.True(sut.TryResolve(new Uri("http://_metrics.a/m"), out var physical));

        Assert.Equal("http://127.0.0.1:9/m", physical.ToString());
    }

    [Fact]
    public void SeveralAddressesAreTakenInTurn()
    {
        var sut = Resolver(new() { ["services:a:http:0"] = "http://127.0.0.1:1", ["services:a:http:1"] = "http://127.0.0.1:2" });

        var ports = Enumerable.Range(0, 4).Select(_ => { sut.TryResolve(new Uri("http://a/"), out var u); return u.Port; }).ToList();

        Assert.Equal([1, 2, 1, 2], ports);
        Assert.Equal(2, sut.GetEndpoints("a").Count);
    }

    [Fact]
    public void UnknownHostGoesOutUnchanged()
    {
        var sut = Resolver([]);

        Assert.False(sut.TryResolve(new Uri("http://127.0.0.1:7/x"), out var physical));

        Assert.Equal("http://127.0.0.1:7/x", physical.ToString());
        Assert.Empty(sut.GetEndpoints("agent-7"));
    }

    [Fact]
    public void LogicalSchemeWithoutAnAddressNamesTheMissingKey()
    {
        var sut = Resolver([]);

        var error = Assert.Throws<InvalidOperationException>(() => sut.TryResolve(new Uri("https+http://agent-7/"), out _));

        Assert.Contains("services:agent-7:https|http:0", error.Message);
    }

    [Fact]
    public void EnvironmentVariableSchemeIsRead()
    {
        var name = "services__agent-test-" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(name + "__http__0", "http://127.0.0.1:5999");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.AddServiceDefaults();
            using var host = builder.Build();
            var sut = host.Services.GetRequiredService<IServiceEndpointResolver>();

            Assert.Equal("http://127.0.0.1:5999/", sut.GetEndpoints(name["services__".Length..]).Single().ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(name + "__http__0", null);
        }
    }

    private static IServiceEndpointResolver Resolver(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        return builder.Build().Services.GetRequiredService<IServiceEndpointResolver>();
    }
}
