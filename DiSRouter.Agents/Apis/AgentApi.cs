using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Apis;

/// <summary>
/// The agent's HTTP API. <c>/v1</c> is the cascade (scenario prompt, answer or forward, routing metadata);
/// <c>/raw/v1</c> is the bare model, a complete OpenAI-compatible base URL for baselines, evaluation and other
/// agents' hosted backends. <c>/v1/assess</c> is the agent's bid for the gateway's bids mode (a prompt pass, no answer).
/// </summary>
internal static class AgentApi
{
    public const string CascadeRoute = "/v1/chat/completions";
    public const string RawBase = "/raw/v1";
    public const string RawRoute = RawBase + "/chat/completions";
    public const string CheckpointRoute = "/checkpoint";
    public const string AssessRoute = "/v1/assess";

    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A whole (not streamed) answer that breaks after its commit point is asked for once more before a 502.</summary>
    public const int WholeAnswerAttempts = 2;

    public static WebApplication MapAgentApi(this WebApplication app)
    {
        app.UseProblemResponses();

        app.MapPost(CascadeRoute, Cascade).WithName("Cascade");
        app.MapPost(RawRoute, Raw).WithName("RawChat");
        app.MapPost(AssessRoute, Assess).WithName("Assess");
        app.MapGet("/v1/models", Models).WithName("Models");
        app.MapGet(RawBase + "/models", Models).WithName("RawModels");
        app.MapGet(CheckpointRoute, Checkpoint).WithName("Checkpoint");
        return app;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // POST /v1/chat/completions

    public static async Task<Results<Ok<ChatCompletionResponse>, ChunkStreamResult, ProblemHttpResult, PassThroughResult, HandBackResult>> Cascade(
        HttpContext http, CascadeAgent agent, IOptions<AgentOptions> options, ILogger<CascadeAgent> logger)
    {
        var started = Stopwatch.GetTimestamp();
        var ct = http.RequestAborted;
        var o = options.Value;

        if (ChatRequests.TryReadHops(http.Request.Headers, out var hops) is { } badHops) return badHops;
        if (hops >= RoutingHeaders.MaxHops)
        {
            Log.LoopRefused(logger, o.Name, hops, RoutingHeaders.MaxHops);
            return Problems.LoopDetected(
                $"The request already passed {hops} agents ({RoutingHeaders.HopCount}); the limit is {RoutingHeaders.MaxHops}. The cascade's successors form a loop.");
        }

        if (ChatRequests.TryReadRoutedBy(http.Request.Headers, hops, out var routedBy) is { } badRouted) return badRouted;
        if (ChatRequests.TryReadRule(http.Request.Headers, routedBy, out var auction) is { } badRule) return badRule;

        var (request, _, problem) = await ChatRequests.ReadAsync(http.Request, ct);
        if (problem is not null) return problem;
        if (ChatRequestRules.ValidateForCascade(request!) is { } cascadeError) return Problems.BadRequest(cascadeError);
        if (ChatRequests.TrySelectScenario(request!, http.Request.Headers, out var scenario) is { } badScenario) return badScenario;

        // A whole answer reaches the client only once it is complete, so an answer that breaks after its commit point
        // (a successor killed while it relays) can still be asked for again: the second time the dead agent is skipped.
        for (var attempt = 1; ; attempt++)
        {
            CascadeResult result;
            try
            {
                result = await agent.HandleAsync(request!, scenario, hops, ChatRequests.Settings(request!, o), started, ct,
                    ChatRequests.CommitBudget(http.Request.Headers), routedBy, auction);
            }
            catch (ModelInputException ex)
            {
                return Problems.BadRequest(ex.Message);
            }
            catch (ModelUnavailableException ex)
            {
                return Problems.BadGateway(ex.Message);
            }
            switch (result)
            {
                case CascadeResult.PassedBack p:
                    return new PassThroughResult(p.StatusCode, p.Body, p.ContentType);
                case CascadeResult.HandingBack h:
                    return new HandBackResult(h.HandBack);
                case CascadeResult.Answering a when request!.Stream == true:
                    // Known at the commit point, so it goes out as a header before the first chunk.
                    if (a.Degraded is { } degradedStream) http.Response.Headers[RoutingHeaders.Degraded] = degradedStream;
                    return new ChunkStreamResult(a.Chunks);
                case CascadeResult.Answering a:
                    // Collected from the stream, so a failure after the commit point is a 502, never half an answer.
                    var (response, error) = await ChatResponses.CollectAsync(a.Chunks, ct);
                    if (error is not null && attempt < WholeAnswerAttempts)
                    {
                        ApiLog.RetryingWholeAnswer(logger, o.Name, attempt, error.Message);
                        continue;
                    }
                    if (error is not null) return Problems.BadGateway(error.Message);
                    if (response!.DiSRouter?.AnsweredBy is { } answeredBy) http.Response.Headers[RoutingHeaders.AnsweredBy] = answeredBy;
                    if (response.DiSRouter?.Degraded is { } degraded) http.Response.Headers[RoutingHeaders.Degraded] = degraded;
                    return TypedResults.Ok(response);
                default:
                    throw new UnreachableException();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // POST /v1/assess

    /// <summary>
    /// The agent's self-assessment of a chat request: the decision's prompt pass alone under its bid scale's scenario
    /// prompt (one α for every request: the gateway applies the request's α to the bid), the logit gap, and the probability
    /// that its own answer is right. A model without a gap (hosted) or without a bid scale for its weights answers 200 with
    /// null p_right and the reason: not bidding is an answer, not an error; bad input is a problem.
    /// </summary>
    public static async Task<Results<Ok<AssessResponse>, ProblemHttpResult>> Assess(HttpContext http, IChatBackend backend, AgentTelemetry telemetry,
        IOptions<AgentOptions> options)
    {
        var ct = http.RequestAborted;
        var o = options.Value;
        var (request, _, problem) = await ChatRequests.ReadAsync(http.Request, ct);
        if (problem is not null) return problem;
        if (ChatRequestRules.ValidateForCascade(request!) is { } cascadeError) return Problems.BadRequest(cascadeError);
        try
        {
            var a = await Bidding.AssessAsync(backend, telemetry, o.Name, ConversationParts.From(request!.Messages), ct);
            return TypedResults.Ok(new AssessResponse(o.Name, backend.ModelName, o.Cost, a.PromptAlpha,
                a.LogitGap is { } gap ? Math.Round(gap, 6) : null, a.PRight, a.PromptTime is { } t ? Math.Round(t.TotalMilliseconds, 3) : null, a.PRight is null ? a.NoBid : null));
        }
        catch (ModelInputException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // POST /raw/v1/chat/completions

    public static async Task<Results<Ok<ChatCompletionResponse>, ServerSentEventsResult<string>, ProblemHttpResult>> Raw(
        HttpContext http, IChatBackend backend, AgentTelemetry telemetry, IOptions<AgentOptions> options)
    {
        var ct = http.RequestAborted;
        var o = options.Value;
        var (request, _, problem) = await ChatRequests.ReadAsync(http.Request, ct);
        if (problem is not null) return problem;
        if (!string.IsNullOrEmpty(request!.Model) && request.Model != backend.ModelName && request.Model != o.Name)
            return Problems.NotFound($"Model '{request.Model}' is not served here; this agent ({o.Name}) serves '{backend.ModelName}'.");

        var conversation = ConversationParts.From(request.Messages);
        var prompt = new ChatPrompt(conversation.System, conversation.Turns);
        var settings = ChatRequests.Settings(request, o);
        if (request.Stream == true)
            return TypedResults.ServerSentEvents(StreamAsync(backend, telemetry, o.Name, prompt, settings, IncludeUsage(request), ct));

        try
        {
            var generation = await telemetry.GenerateAsync(backend, o.Name, "raw", prompt, settings, null, ct);
            return TypedResults.Ok(ChatResponses.Completion(backend.ModelName, generation));
        }
        catch (ModelInputException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (ModelUnavailableException ex)
        {
            return Problems.BadGateway(ex.Message);
        }
    }

    /// <summary>
    /// Streams the reply as OpenAI chunks. The backend's per-token callback feeds a channel that this loop drains;
    /// a client that goes away cancels the request, and the callback's false stops the model.
    /// </summary>
    private static async IAsyncEnumerable<string> StreamAsync(IChatBackend backend, AgentTelemetry telemetry, string agent,
        ChatPrompt prompt, GenerationSettings settings, bool includeUsage, [EnumeratorCancellation] CancellationToken ct)
    {
        var id = ChatResponses.NewId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Chunk(int index, ChunkDelta delta, string? finish = null, ChatUsage? usage = null) =>
            JsonSerializer.Serialize(new ChatCompletionChunk
            {
                Id = id,
                Created = created,
                Model = backend.ModelName,
                Choices = index < 0 ? [] : [new ChunkChoice { Index = index, Delta = delta, FinishReason = finish }],
                Usage = usage,
            }, WireJson.Options);

        var gates = Enumerable.Range(0, settings.N).Select(_ => new StreamGate(settings.Stop)).ToArray();
        var deltas = Channel.CreateUnbounded<(int Index, string Text)>(new UnboundedChannelOptions { SingleReader = true });
        var generation = Task.Run(async () =>
        {
            try
            {
                return await telemetry.GenerateAsync(backend, agent, "raw", prompt, settings, (i, text) =>
                {
                    var delta = gates[i].Advance(text);
                    if (delta.Length > 0) deltas.Writer.TryWrite((i, delta));
                    return !ct.IsCancellationRequested;
                }, ct);
            }
            finally
            {
                deltas.Writer.TryComplete();
            }
        }, ct);

        for (int i = 0; i < settings.N; i++) yield return Chunk(i, new ChunkDelta { Role = "assistant", Content = "" });
        await foreach (var (index, text) in deltas.Reader.ReadAllAsync(ct)) yield return Chunk(index, new ChunkDelta { Content = text });
        var result = await generation;
        for (int i = 0; i < result.Samples.Count; i++)
        {
            var sample = result.Samples[i];
            var rest = gates[i].Rest(sample.Text);
            if (rest.Length > 0) yield return Chunk(i, new ChunkDelta { Content = rest });
            yield return Chunk(i, new ChunkDelta(), ChatResponses.OpenAiFinishReason(sample.FinishReason));
        }
        if (includeUsage) yield return Chunk(-1, new ChunkDelta(), usage: ChatResponses.Usage(result));
        yield return "[DONE]";
    }

    private static bool IncludeUsage(ChatCompletionRequest r) =>
        r.Extra is { } extra && extra.TryGetValue("stream_options", out var so) && so.ValueKind == JsonValueKind.Object &&
        so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;

    // ---------------------------------------------------------------------------------------------------------------
    // GET /v1/models, /raw/v1/models

    // ---------------------------------------------------------------------------------------------------------------
    // GET /checkpoint

    /// <summary>What a local agent serves, and why a changed checkpoint did not load (if it did not).</summary>
    public static Results<Ok<CheckpointStatus>, ProblemHttpResult> Checkpoint(IChatBackend backend, IOptions<AgentOptions> options) =>
        backend is LocalCheckpointBackend local
            ? TypedResults.Ok(local.Status)
            : Problems.NotFound($"Agent '{options.Value.Name}' serves a hosted model ({backend.ModelName}); it has no checkpoint.");

    public static Ok<ModelList> Models(IChatBackend backend, IOptions<AgentOptions> options) =>
        TypedResults.Ok(new ModelList
        {
            Data = [new ModelCard { Id = backend.ModelName, Created = StartedAt, OwnedBy = options.Value.Name }],
        });
}

/// <summary>Under the auction rule: the query handed back to the winner it names (<see cref="HandBack"/>), nothing committed.</summary>
internal sealed class HandBackResult(HandBack handBack) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => HandBack.StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = HandBack.StatusCode;
        httpContext.Response.ContentType = HandBack.MediaType;
        await httpContext.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(handBack, WireJson.Options), httpContext.RequestAborted);
    }
}

/// <summary>A successor's refusal sent back byte for byte, status and content type included.</summary>
internal sealed class PassThroughResult(int statusCode, byte[] body, string? contentType) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = contentType ?? "application/problem+json";
        await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
