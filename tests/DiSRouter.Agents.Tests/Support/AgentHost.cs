using System.Net;
using DiSRouter.Agents.Backends;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiSRouter.Agents.Tests.Support;

/// <summary>
/// One agent process in miniature: the real Program on Kestrel at 127.0.0.1 on a free port, so agents call each other
/// over real loopback HTTP. Settings are the agent's configuration keys; a backend, when given, replaces the model.
/// </summary>
internal sealed class AgentHost : IAsyncDisposable
{
    private readonly Factory _factory;

    private AgentHost(Factory factory, Uri baseAddress)
    {
        _factory = factory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TestTimeouts.Request };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    public static AgentHost Start(IReadOnlyDictionary<string, string?> settings, IChatBackend? backend = null)
    {
        var factory = new Factory(settings, backend);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).First();
        return new AgentHost(factory, address);
    }

    /// <summary>Settings of a named agent with its cost and successors (service names or URLs), plus extras.</summary>
    public static Dictionary<string, string?> Settings(string name, double cost, IEnumerable<string>? successors = null,
        IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var d = new Dictionary<string, string?>
        {
            ["Agent:Name"] = name,
            ["Agent:Cost"] = cost.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agent:ReloadPollSeconds"] = "0",
            // Test hosts are short-lived: keep the resilience pipeline from retrying or breaking circuits between tests.
            ["HttpResilience:CircuitBreaker:MinimumThroughput"] = "1000",
        };
        var i = 0;
        foreach (var s in successors ?? []) d[$"Agent:Successors:{i++}"] = s;
        foreach (var kv in extra ?? []) d[kv.Key] = kv.Value;
        return d;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings, IChatBackend? backend) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
            if (backend is not null) builder.ConfigureTestServices(s => s.AddSingleton(backend));
        }
    }
}

internal static class TestTimeouts
{
    /// <summary>Every await on the network gets this long; generous for a loaded 2-core CI machine.</summary>
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(30);
}
