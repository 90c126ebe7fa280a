namespace DiSRouter.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Finds the URLs of a named service from configuration in Aspire's key scheme:
/// <c>services:{name}:{endpoint}:{i}</c>, e.g. the environment variable <c>services__agent-2__http__0=http://127.0.0.1:5102</c>.
/// </summary>
public interface IServiceEndpointResolver
{
    /// <summary>
    /// The configured URLs of <paramref name="serviceName"/>'s endpoint in configuration order; empty when none is
    /// configured. Without an endpoint name, "https" then "http" are tried.
    /// </summary>
    IReadOnlyList<Uri> GetEndpoints(string serviceName, string? endpointName = null);

    /// <summary>
    /// Turns a logical URI (<c>http://agent-2/v1/chat/completions</c>, <c>https+http://agent-2</c>,
    /// <c>http://_grpc.agent-2</c>) into a physical one, taking the service's endpoints in turn (round robin).
    /// False when the host names no configured service: the URI is then a real address and goes out unchanged.
    /// </summary>
    bool TryResolve(Uri logical, out Uri physical);
}
