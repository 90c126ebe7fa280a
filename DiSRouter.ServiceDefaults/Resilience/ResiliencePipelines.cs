using System.Net;
using DiSRouter.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace DiSRouter.ServiceDefaults.Resilience;

/// <summary>
/// One resilience pipeline per destination (the request's authority: "agent-2" before discovery resolves it),
/// shared by every HttpClient in the process, so that one dead agent opens one circuit and no other.
/// Order, outer to inner: total timeout → retry → circuit breaker → attempt timeout (as Aspire's standard handler).
/// </summary>
internal sealed class ResiliencePipelines(IOptions<HttpResilienceOptions> options, ILogger<ResiliencePipelines> logger)
{
    public static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("DiSRouter.HttpRequest");

    private readonly ResiliencePipelineRegistry<string> _registry = new();

    public ResiliencePipeline<HttpResponseMessage> For(Uri destination) =>
        _registry.GetOrAddPipeline<HttpResponseMessage>(destination.Authority, (builder, context) => Build(builder, context.PipelineKey));

    private void Build(ResiliencePipelineBuilder<HttpResponseMessage> builder, string destination)
    {
        var o = options.Value;
        builder
            .AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = o.TotalTimeout })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // Only idempotent requests are retried. A POST to an agent may already have run its model (seconds of
                // compute, or a paid hosted call) before the failure showed, so it is never sent twice; a dead agent is
                // instead skipped by the cascade, whose successor list is the retry policy for model calls.
                ShouldHandle = args => ValueTask.FromResult(IsIdempotent(args.Context) && IsTransient(args.Outcome, retry: true)),
                MaxRetryAttempts = o.MaxRetries,
                Delay = o.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, retry: false)),
                FailureRatio = o.FailureRatio,
                MinimumThroughput = o.MinimumThroughput,
                SamplingDuration = o.SamplingDuration,
                BreakDuration = o.BreakDuration,
                OnOpened = args => { LogMessages.CircuitOpened(logger, destination, args.BreakDuration); return default; },
                OnClosed = _ => { LogMessages.CircuitClosed(logger, destination); return default; },
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = o.AttemptTimeout });
    }

    private static bool IsIdempotent(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) &&
        (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options ||
         request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete);

    /// <summary>Failures worth a retry or a mark against the destination: no connection, a timeout, a server error.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, bool retry) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: not null } => false,
        { Result.StatusCode: HttpStatusCode.TooManyRequests } => retry,
        { Result: { } r } => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        _ => false,
    };
}
