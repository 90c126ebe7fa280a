using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DiSRouter.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway on a real Kestrel port, wired to fake agents through service discovery settings
/// (<c>services:agent-1:http:0</c>), exactly as the AppHost wires it.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key";

    private readonly Dictionary<string, string?> _settings;

    public GatewayFactory(IReadOnlyDictionary<string, Uri> agents, Dictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Gateway:ApiKeys:0"] = ApiKey,
            ["Gateway:EntryAgent"] = agents.Keys.FirstOrDefault() ?? "agent-1",
            ["Gateway:RateLimit:Burst"] = "10000",
            ["Gateway:RateLimit:RequestsPerSecond"] = "10000",
            // Tests send wrong keys on purpose; the throttle has tests of its own with its real limits.
            ["Gateway:FailedAuth:MaxFailures"] = "10000",
            ["Logging:LogLevel:Default"] = "Warning",
            // Memory only unless a test names a folder: factories must not share books (Ledger/LedgerPersistenceTests.cs does).
            ["Gateway:Ledger:Directory"] = "",
        };
        var i = 0;
        foreach (var (name, url) in agents)
        {
            _settings[$"Gateway:Agents:{i++}"] = name;
            _settings[$"services:{name}:http:0"] = url.ToString();
        }
        foreach (var (k, v) in settings ?? []) _settings[k] = v;
        UseKestrel(0);
    }

    /// <summary>Every line the gateway logged at Warning or above, as formatted.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(new ListLoggerProvider(Logs)));
    }

    public HttpClient CreateAuthorizedClient(string key = ApiKey)
    {
        // A caller from another process: sends the traceparent a test writes (this process's HttpClient instrumentation would replace it).
        var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = CreateClient().BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
