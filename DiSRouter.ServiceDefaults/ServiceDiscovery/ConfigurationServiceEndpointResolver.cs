using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace DiSRouter.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// <see cref="IServiceEndpointResolver"/> over IConfiguration. Results are cached per (service, endpoint) and the
/// cache is dropped whenever configuration reloads, so a changed address takes effect without a restart.
/// </summary>
internal sealed class ConfigurationServiceEndpointResolver : IServiceEndpointResolver
{
    private const string SectionName = "services";

    private readonly IConfiguration _configuration;
    private readonly ConcurrentDictionary<(string Service, string Endpoint), Endpoints> _cache = new();

    public ConfigurationServiceEndpointResolver(IConfiguration configuration)
    {
        _configuration = configuration;
        ChangeToken.OnChange(configuration.GetReloadToken, _cache.Clear);
    }

    public IReadOnlyList<Uri> GetEndpoints(string serviceName, string? endpointName = null)
    {
        if (endpointName is not null) return Lookup(serviceName, endpointName, endpointName).Uris;
        var https = Lookup(serviceName, "https", "https").Uris;
        return https.Count > 0 ? https : Lookup(serviceName, "http", "http").Uris;
    }

    public bool TryResolve(Uri logical, out Uri physical)
    {
        physical = logical;
        if (!logical.IsAbsoluteUri) return false;

        // "_endpoint.service" names the endpoint explicitly; otherwise the scheme does ("https+http": either, https preferred).
        var host = logical.IdnHost;
        string? explicitEndpoint = null;
        if (host.StartsWith('_') && host.IndexOf('.') is var dot and > 1)
        {
            explicitEndpoint = host[1..dot];
            host = host[(dot + 1)..];
        }

        foreach (var scheme in logical.Scheme.Split('+'))
        {
            var endpoints = Lookup(host, explicitEndpoint ?? scheme, scheme);
            if (endpoints.Uris.Count == 0) continue;
            var target = endpoints.Next();
            physical = new UriBuilder(logical) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
            return true;
        }

        if (logical.Scheme.Contains('+') || explicitEndpoint is not null)
            throw new InvalidOperationException(
                $"No endpoint is configured for service '{host}' (looked for {SectionName}:{host}:{explicitEndpoint ?? logical.Scheme.Replace('+', '|')}:0).");
        return false;
    }

    private Endpoints Lookup(string service, string endpoint, string defaultScheme) =>
        _cache.GetOrAdd((service, endpoint), key => Read(key.Service, key.Endpoint, defaultScheme));

    private Endpoints Read(string service, string endpoint, string defaultScheme)
    {
        var section = _configuration.GetSection(SectionName).GetSection(service).GetSection(endpoint);
        // Either a single value ("services:agent-2:http") or an array ("services:agent-2:http:0", ":1", ...).
        var values = section.Value is { Length: > 0 } single
            ? [single]
            : section.GetChildren()
                .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
                .Select(c => c.Value)
                .Where(v => !string.IsNullOrWhiteSpace(v))
                .Select(v => v!)
                .ToList();
        return new Endpoints(values.Select(v => Parse(v, defaultScheme, service)).ToList());
    }

    /// <summary>Aspire allows "host:port" without a scheme; the scheme of the endpoint name fills it in.</summary>
    private static Uri Parse(string value, string defaultScheme, string service)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        if (Uri.TryCreate($"{defaultScheme}://{value}", UriKind.Absolute, out uri)) return uri;
        throw new InvalidOperationException($"The address '{value}' configured for service '{service}' is not a URL.");
    }

    private sealed class Endpoints(IReadOnlyList<Uri> uris)
    {
        private int _next = -1;
        public IReadOnlyList<Uri> Uris { get; } = uris;
        public Uri Next() => Uris.Count == 1 ? Uris[0] : Uris[(int)((uint)Interlocked.Increment(ref _next) % (uint)Uris.Count)];
    }
}
