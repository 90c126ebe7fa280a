using System.Diagnostics;
using System.Globalization;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Auth;
using DiSRouter.Gateway.Bids;
using DiSRouter.Gateway.Forwarding;
using DiSRouter.Gateway.Guard;
using DiSRouter.Gateway.Ledger;
using DiSRouter.Gateway.Requests;
using DiSRouter.Gateway.Routing;
using DiSRouter.Gateway.SelfRoute;
using DiSRouter.Gateway.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace DiSRouter.Gateway.Apis;

/// <summary>
/// The OpenAI-compatible front door. POST /v1/chat/completions is a YARP route (see Forwarding/AgentClusters.cs):
/// <see cref="PrepareChatCompletionAsync"/> does the gateway's own work (the body read within its limit and checked,
/// the entry agent and α chosen once), then YARP forwards the bytes to a healthy replica of the entry agent and passes
/// its answer back as it comes: whole or streamed, unbuffered.
/// </summary>
internal static class GatewayApi
{
    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        var api = app.MapGroup("/v1").RequireAuthorization().RequireRateLimiting(AuthExtensions.RateLimitPolicy);
        api.MapGet("/models", ListModels);

        app.MapReverseProxy(proxy =>
        {
            proxy.Use(PrepareChatCompletionAsync);
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
            proxy.Use(ExcuseRelayedStreamFailuresAsync);
        });
        return app;
    }

    public static async Task PrepareChatCompletionAsync(HttpContext http, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        var services = http.RequestServices.GetRequiredService<GatewayServices>();
        var options = services.Options.CurrentValue;
        var ct = http.RequestAborted;
        var keyId = http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? "anonymous";

        // 0) a key whose budget is spent is refused before its body is read
        if (services.Ledger.OverBudget(keyId, out var spent, out var budget) is { } spentReason)
        {
            services.Guard.Refused(StatusCodes.Status402PaymentRequired, "budget");
            if (services.Repeated.ShouldLog("budget", keyId, out var heldBack)) GuardLog.BudgetSpent(services.Logger, keyId, spent, budget, heldBack);
            await RefuseAsync(Problem(StatusCodes.Status402PaymentRequired, spentReason), "none");
            return;
        }

        // 1) read and check the request
        var read = await ChatRequestReader.ReadAsync(http.Request, options.MaxRequestBodyBytes, ct);
        if (read.Problem is { } badBody)
        {
            await RefuseAsync(badBody, "none");
            return;
        }
        var request = read.Request!;

        // 2) where it enters the cascade and with which α: chosen here, once, for every hop
        if (!services.Models.TryResolve(request.Model, out var route))
        {
            await RefuseAsync(Problem(StatusCodes.Status400BadRequest,
                $"Unknown model '{request.Model}'. Known models: {string.Join(", ", services.Models.ModelIds)}."), "none");
            return;
        }
        var selection = ScenarioSelector.Select(request, Header(RoutingHeaders.Alpha), Header(RoutingHeaders.Scenario), route.Scenario);
        if (selection.Error is { } scenarioError)
        {
            await RefuseAsync(Problem(StatusCodes.Status400BadRequest, scenarioError), "none");
            return;
        }
        var scenario = selection.Scenario!;

        // 2b) Self-Route or bids: the gateway picks the agent, which is told to answer (a client's own copy of that
        // header never reaches an agent); reroute names the next agent when the chosen one cannot be reached
        http.Request.Headers.Remove(RoutingHeaders.RoutedBy);
        // the cascade rule, likewise only the gateway's: the route names it (the auction aliases, and the plain ones under
        // Gateway:Rule's default); a best bid comes only from an agent
        http.Request.Headers.Remove(RoutingHeaders.Rule);
        http.Request.Headers.Remove(RoutingHeaders.BestBid);
        if (route.Auction) http.Request.Headers[RoutingHeaders.Rule] = RoutingHeaders.AuctionRule;
        RouterDecision? selfRouted = null;
        Func<IReadOnlySet<string>, RouterDecision>? reroute = null;
        if (route.SelfRoute)
        {
            var query = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
            var selfRouteState = await services.SelfRoute.StateAsync(ct);
            if (selfRouteState.Problem is { } unusable)
            {
                await RefuseAsync(Problem(StatusCodes.Status503ServiceUnavailable, unusable), scenario.Name);
                return;
            }
            reroute = failed => services.SelfRoute.Route(selfRouteState, query, scenario.Alpha, failed);
        }
        else if (route.Bids)
        {
            var auction = await services.Bids.AuctionAsync(read.Body!, ct);
            reroute = failed => BidsService.Route(auction, scenario.Alpha, services.Bids.Available, failed);
        }
        if (reroute is not null)
        {
            selfRouted = reroute(new HashSet<string>());
            if (RouterRefusal(http, selfRouted, options) is { } refusal)
            {
                await RefuseAsync(refusal, scenario.Name);
                return;
            }
            services.Telemetry.RecordRoute(selfRouted);
            http.Items[RouterMetadataTransform.ItemKey] = selfRouted;
            http.Request.Headers[RoutingHeaders.RoutedBy] = selfRouted.Metadata.Mode;
        }
        var target = selfRouted?.ForwardTo ?? route.EntryAgent;
        if (!string.Equals(target, options.EntryAgent, StringComparison.OrdinalIgnoreCase)
            && services.Proxy.TryGetCluster(target, out var cluster))
            http.ReassignProxyRequest(cluster);

        // 3) forward the bytes that were read, with α and the hop count as headers (the client's own are replaced)
        http.Request.Body = new MemoryStream(read.Body!, writable: false);
        http.Request.ContentLength = read.Body!.Length;
        http.Request.Headers[RoutingHeaders.HopCount] = "0";
        http.Request.Headers[RoutingHeaders.Alpha] = scenario.Alpha.ToString("R", CultureInfo.InvariantCulture);
        http.Request.Headers[RoutingHeaders.Scenario] = scenario.Name;

        using var activity = GatewayTelemetry.ActivitySource.StartActivity("chat " + target);
        activity?.SetTag("disrouter.alpha", scenario.Alpha);
        activity?.SetTag("disrouter.scenario", scenario.Name);
        activity?.SetTag("disrouter.entry_agent", target);
        if (selfRouted is not null)
        {
            activity?.SetTag("disrouter.router", selfRouted.Metadata.Mode);
            activity?.SetTag("disrouter.router.family", selfRouted.Metadata.Family);
            activity?.SetTag("disrouter.router.difficulty", selfRouted.Metadata.Difficulty);
            activity?.SetTag("disrouter.router.chosen", selfRouted.Metadata.Chosen);
        }

        // the answer passes through untouched; the tap keeps what the ledger books (routing metadata, every hop's tokens)
        var tap = new LedgerTap(http.Response.Body, request.Stream == true);
        http.Response.Body = tap;
        ProblemHttpResult? fallbackRefusal = null;
        try
        {
            await next();
            // The routed agent could not be reached (down since the last probe): the next one in the router's fallback
            // order takes the request, as long as nothing of an answer has gone out.
            var unreachable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            while (reroute is not null && !http.Response.HasStarted &&
                   http.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.Request or ForwarderError.NoAvailableDestinations })
            {
                unreachable.Add(target);
                var again = reroute(unreachable);
                if ((fallbackRefusal = RouterRefusal(http, again, options)) is not null
                    || !services.Proxy.TryGetCluster(again.ForwardTo!, out var next2)) break;
                LogMessages.EntryAgentFailed(services.Logger, target, $"unreachable; {again.Metadata.Mode} falls back to {again.ForwardTo}", null);
                selfRouted = again;
                target = again.ForwardTo!;
                http.Items[RouterMetadataTransform.ItemKey] = again;
                http.Features.Set<IForwarderErrorFeature>(null);
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Request.Body = new MemoryStream(read.Body!, writable: false);
                http.ReassignProxyRequest(next2);
                await next();
            }
        }
        finally
        {
            http.Response.Body = tap.Inner;
        }
        // booked: an answer (charged), a stream that ended in the error event (its hops' compute, not charged), or a
        // degraded answer the Refuse policy replaced with a 503 (read before it was replaced; compute, not charged)
        if (http.Response.StatusCode == StatusCodes.Status200OK)
        {
            var (metadata, id, endedInError) = tap.Metadata();
            services.Ledger.Record(keyId, id, metadata, request.Stream == true, endedInError ? LedgerOutcome.Failed : LedgerOutcome.Answered);
        }
        else if (http.Features.Get<RefusedAnswer>() is { } refused)
            services.Ledger.Record(keyId, refused.Id, refused.Metadata, refused.Streamed, LedgerOutcome.Refused);

        // 4) a forward that failed before the answer began: a problem that says why (Self-Route's own when no agent could stand in)
        if (fallbackRefusal is not null && !http.Response.HasStarted)
        {
            await RefuseAsync(fallbackRefusal, scenario.Name);
            return;
        }
        if (http.Features.Get<IForwarderErrorFeature>() is { } failed && !http.Response.HasStarted
            && ForwardProblem(http, target, failed, options) is { } problem)
        {
            LogMessages.EntryAgentFailed(services.Logger, target, problem.ProblemDetails.Detail ?? "", failed.Exception);
            activity?.SetStatus(ActivityStatusCode.Error, problem.ProblemDetails.Detail);
            await RefuseAsync(problem, scenario.Name);
            return;
        }

        string? answeredBy = http.Response.Headers[RoutingHeaders.AnsweredBy];
        activity?.SetTag("disrouter.answered_by", answeredBy);
        LogMessages.Answered(services.Logger, scenario.Name, scenario.Alpha, selection.Source, target, answeredBy,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        services.Telemetry.Record(scenario.Name, answeredBy, http.Response.StatusCode, Stopwatch.GetElapsedTime(started));

        string? Header(string name) => http.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;

        async Task RefuseAsync(ProblemHttpResult refusal, string scenarioName)
        {
            LogMessages.Refused(services.Logger, refusal.StatusCode, refusal.ProblemDetails.Detail);
            services.Telemetry.Record(scenarioName, null, refusal.StatusCode, Stopwatch.GetElapsedTime(started));
            http.Response.Headers.Remove(RoutingHeaders.AnsweredBy);
            await refusal.ExecuteAsync(http);
        }
    }

    /// <summary>
    /// A stream that the entry agent ended with the error event (an agent further down died mid-answer) is broken off
    /// by the entry agent on purpose, so that clients see a broken stream; to YARP that reads as the entry agent failing
    /// in transport, and a few of them left the healthy entry agent out (every request 503) for the passive health's
    /// reactivation period. The error event shows the entry agent alive and answering: the failure is not counted.
    /// </summary>
    public static async Task ExcuseRelayedStreamFailuresAsync(HttpContext http, Func<Task> next)
    {
        await next();
        if (http.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.ResponseBodyDestination }
            && http.Response.Body is LedgerTap tap && tap.EndedWithErrorEvent)
            http.Features.Set<IForwarderErrorFeature>(null);
    }

    /// <summary>
    /// Why a Self-Route or bids decision cannot be forwarded: no agent can take it, in the router's own words (no agent
    /// bid, or none it routes among is up: 503, Retry-After: the next probe), or the chosen one is down and
    /// Gateway:DegradedAnswers is Refuse (503 as the cascade's degraded answers get).
    /// </summary>
    private static ProblemHttpResult? RouterRefusal(HttpContext http, RouterDecision decision, GatewayOptions o)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(o.Health.ProbeIntervalSeconds));
        if (decision.ForwardTo is null)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, $"{decision.Unforwardable}; retry after {seconds} s.");
        }
        if (decision.Degraded is null || o.DegradedAnswers != DegradedAnswerPolicy.Refuse) return null;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[RoutingHeaders.Degraded] = decision.Degraded;
        return Problem(StatusCodes.Status503ServiceUnavailable,
            $"{decision.Name} could only give a degraded answer ({decision.Degraded}) and Gateway:DegradedAnswers is Refuse; retry after {seconds} s.");
    }

    public static Ok<ModelList> ListModels(ModelCatalog models) =>
        TypedResults.Ok(new ModelList { Data = models.ModelIds.Select(id => new ModelCard { Id = id, Created = StartedAt, OwnedBy = "disrouter" }).ToList() });

    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>No healthy replica 503 (with Retry-After: the next probe), too slow 504, anything else on the way 502.</summary>
    private static ProblemHttpResult? ForwardProblem(HttpContext http, string agent, IForwarderErrorFeature failed, GatewayOptions o)
    {
        switch (failed.Error)
        {
            case ForwarderError.NoAvailableDestinations:
                var seconds = Math.Max(1, (int)Math.Ceiling(o.Health.ProbeIntervalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable,
                    $"The entry agent {agent} has no healthy replica (they failed repeatedly or fail their health probe); retry after {seconds} s.");
            case ForwarderError.RequestTimedOut:
                return Problem(StatusCodes.Status504GatewayTimeout, $"The entry agent {agent} did not answer within {o.AgentTimeoutSeconds:0.#} s.");
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient:
                return null; // the client went away
            default:
                return Problem(StatusCodes.Status502BadGateway,
                    $"The entry agent {agent} could not be reached: {Describe(failed.Exception) ?? failed.Error.ToString()}");
        }
    }

    internal static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    private static string? Describe(Exception? ex)
    {
        if (ex is null) return null;
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }
}

/// <summary>What the chat completion step needs, in one service (eShop's services record).</summary>
internal sealed record GatewayServices(
    IOptionsMonitor<GatewayOptions> Options,
    ModelCatalog Models,
    IProxyStateLookup Proxy,
    GatewayTelemetry Telemetry,
    GuardTelemetry Guard,
    RepeatedLog Repeated,
    CostLedger Ledger,
    SelfRouteService SelfRoute,
    BidsService Bids,
    ILogger<GatewayServices> Logger);
