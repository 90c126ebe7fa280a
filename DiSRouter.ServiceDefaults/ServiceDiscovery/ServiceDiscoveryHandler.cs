namespace DiSRouter.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Rewrites a request for <c>http://agent-2/...</c> to the configured address of agent-2 just before it is sent,
/// and puts the logical URI back afterwards so that a retry resolves again (and may take the next endpoint).
/// </summary>
internal sealed class ServiceDiscoveryHandler(IServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var logical = request.RequestUri;
        if (logical is null || !resolver.TryResolve(logical, out var physical))
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        request.RequestUri = physical;
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.RequestUri = logical;
        }
    }
}
