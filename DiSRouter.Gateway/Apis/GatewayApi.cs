using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Auth;
using DiSRouter.Gateway.Forwarding;
using DiSRouter.Gateway.Requests;
using DiSRouter.Gateway.Routing;
using DiSRouter.Gateway.Streaming;
using DiSRouter.Gateway.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DiSRouter.Gateway.Apis;

/// <summary>The OpenAI-compatible front door: chat completions (plain or streamed) and the model list.</summary>
internal static class GatewayApi
{
    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").RequireAuthorization().RequireRateLimiting(AuthExtensions.RateLimitPolicy);

        api.MapPost("/chat/completions", CreateChatCompletionAsync);
        api.MapGet("/models", ListModels);

        return app;
    }

    public static async Task<Results<ContentHttpResult, ServerSentEventsResult<string>, ProblemHttpResult>> CreateChatCompletionAsync(
        HttpContext http, [AsParameters] GatewayServices services, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var options = services.Options.CurrentValue;

        // 1) read and check the request
        var read = await ChatRequestReader.ReadAsync(http.Request, options.MaxRequestBodyBytes, ct);
        if (read.Problem is { } badBody) return Refuse(badBody, "none");
        var request = read.Request!;

        // 2) where it enters the cascade and with which α
        if (!services.Models.TryResolve(request.Model, out var route))
            return Refuse(Problem(StatusCodes.Status400BadRequest,
                $"Unknown model '{request.Model}'. Known models: {string.Join(", ", services.Models.ModelIds)}."), "none");
        var selection = ScenarioSelector.Select(request, http.Request.Headers, route.Scenario);
        if (selection.Error is { } scenarioError) return Refuse(Problem(StatusCodes.Status400BadRequest, scenarioError), "none");
        var scenario = selection.Scenario!;

        var stream = request.Stream == true;
        request.Alpha = scenario.Alpha;
        request.Scenario = scenario.Name;
        request.Stream = null;
        request.Extra?.Remove("stream_options");

        // 3) forward to the entry agent as hop 0
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("chat " + route.EntryAgent);
        activity?.SetTag("disrouter.alpha", scenario.Alpha);
        activity?.SetTag("disrouter.scenario", scenario.Name);
        activity?.SetTag("disrouter.entry_agent", route.EntryAgent);

        AgentReply reply;
        try
        {
            reply = await services.Agents.SendAsync(route.EntryAgent, request, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && EntryAgentProblem(http, route.EntryAgent, ex) is { } failed)
        {
            LogMessages.EntryAgentFailed(services.Logger, route.EntryAgent, failed.ProblemDetails.Detail ?? "", ex);
            activity?.SetStatus(ActivityStatusCode.Error, failed.ProblemDetails.Detail);
            return Refuse(failed, scenario.Name);
        }

        // 4) relay the agent's refusal as it is, or explain an answer that is not one
        if (!reply.IsSuccess)
        {
            // A refusal (4xx) and the gateway-class statuses the cascade itself uses (502, 503, 504, 508) pass through
            // unchanged; any other server error is the entry agent failing, which is a 502 to the client.
            if (reply.IsJson && (reply.StatusCode < 500 || reply.StatusCode is 502 or 503 or 504 or 508))
                return Finish(TypedResults.Content(Encoding.UTF8.GetString(reply.Body), reply.MediaType, Encoding.UTF8, reply.StatusCode), null);
            var failed = Problem(StatusCodes.Status502BadGateway,
                $"The entry agent {route.EntryAgent} answered HTTP {reply.StatusCode}: {ProblemDetail(reply)}");
            LogMessages.EntryAgentFailed(services.Logger, route.EntryAgent, failed.ProblemDetails.Detail!, null);
            return Refuse(failed, scenario.Name);
        }
        ChatCompletionResponse? response = null;
        try
        {
            response = JsonSerializer.Deserialize<ChatCompletionResponse>(reply.Body, GatewayJson.Options);
        }
        catch (JsonException)
        {
        }
        if (response is not { Choices.Count: > 0 })
            return Refuse(Problem(StatusCodes.Status502BadGateway,
                $"The entry agent {route.EntryAgent} answered with a body that is not a chat completion: {Excerpt(reply.Body)}"), scenario.Name);

        var answeredBy = response.DiSRouter?.AnsweredBy;
        activity?.SetTag("disrouter.answered_by", answeredBy);
        LogMessages.Answered(services.Logger, scenario.Name, scenario.Alpha, selection.Source, route.EntryAgent, answeredBy,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        // 5) the answer: relayed byte for byte, or streamed as chunks
        return stream
            ? Finish(TypedResults.ServerSentEvents(ChunkStream.From(response).ToAsyncEnumerable()), answeredBy)
            : Finish(TypedResults.Content(Encoding.UTF8.GetString(reply.Body), "application/json", Encoding.UTF8, reply.StatusCode), answeredBy);

        Results<ContentHttpResult, ServerSentEventsResult<string>, ProblemHttpResult> Finish<T>(T result, string? agent)
            where T : IResult, IStatusCodeHttpResult
        {
            services.Telemetry.Record(scenario.Name, agent, result.StatusCode ?? StatusCodes.Status200OK, Stopwatch.GetElapsedTime(started));
            return result switch
            {
                ContentHttpResult c => c,
                ServerSentEventsResult<string> s => s,
                ProblemHttpResult p => p,
                _ => throw new UnreachableException(),
            };
        }

        ProblemHttpResult Refuse(ProblemHttpResult problem, string scenarioName)
        {
            LogMessages.Refused(services.Logger, problem.StatusCode, problem.ProblemDetails.Detail);
            services.Telemetry.Record(scenarioName, null, problem.StatusCode, Stopwatch.GetElapsedTime(started));
            return problem;
        }
    }

    public static Ok<ModelList> ListModels(ModelCatalog models) =>
        TypedResults.Ok(new ModelList(models.ModelIds.Select(id => new ModelEntry(id, ModelEntry.StartedAt)).ToList()));

    /// <summary>How a failed call maps to a status: no connection 502, a circuit opened by repeated failures 503, too slow 504.</summary>
    private static ProblemHttpResult? EntryAgentProblem(HttpContext http, string agent, Exception ex)
    {
        switch (ex)
        {
            case BrokenCircuitException broken:
                var seconds = Math.Max(1, (int)Math.Ceiling((broken.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable,
                    $"The entry agent {agent} failed repeatedly and is skipped for {seconds} s.");
            case TimeoutRejectedException timeout:
                return Problem(StatusCodes.Status504GatewayTimeout, $"The entry agent {agent} did not answer within {timeout.Timeout.TotalSeconds:0.#} s.");
            case HttpRequestException request:
                return Problem(StatusCodes.Status502BadGateway, $"The entry agent {agent} could not be reached: {request.Message}");
            case InvalidOperationException discovery:
                // Service discovery found no address for the agent's name.
                return Problem(StatusCodes.Status502BadGateway, $"The entry agent {agent} has no address: {discovery.Message}");
            default:
                return null;
        }
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>The detail (or title) of an agent's problem body, else the start of whatever it sent.</summary>
    private static string ProblemDetail(AgentReply reply)
    {
        if (reply.IsJson)
        {
            try
            {
                using var doc = JsonDocument.Parse(reply.Body);
                foreach (var field in (string[])["detail", "title"])
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String)
                        return v.GetString()!;
            }
            catch (JsonException)
            {
            }
        }
        return Excerpt(reply.Body);
    }

    private static string Excerpt(byte[] body) =>
        body.Length == 0 ? "(empty body)" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
}

/// <summary>What a chat completion handler needs, in one parameter (eShop's [AsParameters] services record).</summary>
internal sealed record GatewayServices(
    IOptionsMonitor<GatewayOptions> Options,
    ModelCatalog Models,
    EntryAgentClient Agents,
    GatewayTelemetry Telemetry,
    ILogger<GatewayServices> Logger);
