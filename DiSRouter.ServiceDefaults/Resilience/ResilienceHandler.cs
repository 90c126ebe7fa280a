using Polly;

namespace DiSRouter.ServiceDefaults.Resilience;

/// <summary>
/// Runs every outgoing request through its destination's pipeline. Failures surface as the usual exceptions:
/// <see cref="HttpRequestException"/> (no connection), <see cref="Polly.Timeout.TimeoutRejectedException"/> (too slow),
/// <see cref="Polly.CircuitBreaker.BrokenCircuitException"/> (the destination failed repeatedly and is skipped for a while).
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipelines pipelines) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pipeline = pipelines.For(request.RequestUri ?? throw new InvalidOperationException("The request has no URI."));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ResiliencePipelines.RequestKey, request);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendInnerAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
