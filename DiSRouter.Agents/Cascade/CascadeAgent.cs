using System.Diagnostics;
using DiSRouter.Agents.Apis;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// One hop of the cascade. The model sees the scenario instruction and the query; a reply that starts with
/// "I don't know" is cut off there and the request goes to the first reachable successor, whose response comes back
/// with this agent's hop in front. The last agent, and an agent whose successors are all unreachable, answer without
/// the option to reject (see <see cref="AgentPrompts.AnswerOnly"/>).
/// </summary>
internal sealed class CascadeAgent(
    IChatBackend backend,
    SuccessorClient successors,
    IOptions<AgentOptions> options,
    AgentTelemetry telemetry,
    ILogger<CascadeAgent> logger)
{
    public const string FallbackNote = "answered after every successor was unreachable";

    /// <summary>
    /// The smallest token limit the cascade accepts: a rejection must fit ("I don't know" is 12 byte tokens), or a
    /// reply cut inside it could be taken for neither an answer nor a rejection.
    /// </summary>
    public const int MinTokensToDecide = 16;

    /// <param name="request">A validated request (messages present, n = 1, no streaming).</param>
    /// <param name="hops">Agents the request passed before this one.</param>
    /// <param name="started">Stopwatch timestamp of the request's arrival, so parsing counts as this hop's overhead.</param>
    public async Task<CascadeResult> HandleAsync(ChatCompletionRequest request, Scenario scenario, int hops,
        GenerationSettings settings, long started, CancellationToken ct)
    {
        var o = options.Value;
        using var activity = AgentTelemetry.Source.StartActivity("agent.cascade");
        activity?.SetTag(AgentTags.Agent, o.Name);
        activity?.SetTag(AgentTags.Alpha, scenario.Alpha);
        activity?.SetTag(AgentTags.Scenario, scenario.Name);
        activity?.SetTag(AgentTags.Hops, hops);

        var conversation = ConversationParts.From(request.Messages);
        var metadata = new RoutingMetadata { Alpha = scenario.Alpha, Scenario = scenario.Name };

        if (o.IsLast)
        {
            var answer = await Generate(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings, null, "answer-only", ct);
            return Finish(activity, answer, [], OwnHop(HopDecision.Answer, answer), TimeSpan.Zero, metadata, started, null);
        }

        var decideAfter = o.RejectionDecidedAfter ?? (backend.NeedsProtocolPrompt ? 0 : 1);
        var watch = new RejectionWatch(decideAfter);
        var first = await Generate(AgentPrompts.Decide(scenario, backend, conversation), settings with { DecideAt = scenario.Alpha },
            watch.ShouldContinue, "decide", ct);
        if (!Rejection.IsRejection(first.Samples[0].Text, decideAfter))
            return Finish(activity, first, [], OwnHop(HopDecision.Answer, first), TimeSpan.Zero, metadata, started, null);

        // Rejected: this hop's time ends here; whatever the successors take is theirs.
        telemetry.RecordDecision(o.Name, HopDecision.Reject);
        Log.Decided(logger, o.Name, HopDecision.Reject, scenario.Alpha, first.ModelTime.TotalMilliseconds);
        activity?.SetTag(AgentTags.Decision, HopDecision.Reject);
        var rejectHop = OwnHop(HopDecision.Reject, first);
        rejectHop.LatencyMs = Ms(Stopwatch.GetElapsedTime(started));
        var skipped = new List<Hop>();
        var away = TimeSpan.Zero;
        var forwarded = ForSuccessor(request, scenario);
        var timeout = TimeSpan.FromSeconds(o.ForwardTimeoutSeconds);

        foreach (var successor in o.Successors)
        {
            var outcome = await successors.ForwardAsync(successor, forwarded, hops + 1, timeout, ct);
            away += outcome.Elapsed;
            switch (outcome)
            {
                case ForwardOutcome.Answered answered:
                {
                    var response = answered.Response;
                    var downstream = response.DiSRouter ?? new RoutingMetadata { Alpha = scenario.Alpha, Scenario = scenario.Name };
                    var total = Stopwatch.GetElapsedTime(started);
                    // Own overhead includes reading the successor's reply and building this one, so the hop is
                    // measured as everything that was not spent waiting on successors.
                    rejectHop.LatencyMs = Ms(total - away);
                    downstream.Path = [rejectHop, .. skipped, .. downstream.Path];
                    downstream.LatencyMs = Ms(total);
                    response.DiSRouter = downstream;
                    response.Usage = AddUsage(response.Usage, first);
                    return new CascadeResult.Completed(response);
                }
                case ForwardOutcome.Refused refused:
                    return new CascadeResult.PassedBack(refused.StatusCode, refused.Body, refused.ContentType);
                case ForwardOutcome.Unreachable down:
                    telemetry.RecordDecision(o.Name, HopDecision.Unreachable);
                    Log.SuccessorUnreachable(logger, o.Name, successor, down.Reason);
                    skipped.Add(new Hop
                    {
                        Agent = successor,
                        Model = "",
                        Decision = HopDecision.Unreachable,
                        LatencyMs = Ms(down.Elapsed),
                        Error = down.Reason,
                    });
                    break;
            }
        }

        // Every successor is down: answering here beats returning nothing. The answer is marked on its hop.
        Log.AnsweringAfterAllUnreachable(logger, o.Name);
        var beforeFallback = Stopwatch.GetElapsedTime(started);
        var fallback = await Generate(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings, null, "answer-only", ct);
        var fallbackHop = OwnHop(HopDecision.Answer, fallback);
        fallbackHop.Error = FallbackNote;
        return Finish(activity, fallback, [rejectHop, .. skipped], fallbackHop, beforeFallback, metadata, started, first);
    }

    private Task<ChatGeneration> Generate(ChatPrompt prompt, GenerationSettings settings, Func<int, string, bool>? shouldContinue,
        string purpose, CancellationToken ct) =>
        telemetry.GenerateAsync(backend, options.Value.Name, purpose, prompt, settings with { N = 1 }, shouldContinue, ct);

    /// <param name="before">Hops before the answering one, already timed.</param>
    /// <param name="answeringSince">When the answering hop's own time began (zero: at the request's arrival).</param>
    private CascadeResult Finish(Activity? activity, ChatGeneration answer, List<Hop> before, Hop answering,
        TimeSpan answeringSince, RoutingMetadata metadata, long started, ChatGeneration? earlier)
    {
        var o = options.Value;
        telemetry.RecordDecision(o.Name, HopDecision.Answer);
        Log.Decided(logger, o.Name, HopDecision.Answer, metadata.Alpha, answer.ModelTime.TotalMilliseconds);
        activity?.SetTag(AgentTags.Decision, HopDecision.Answer);
        metadata.AnsweredBy = o.Name;
        metadata.Cost = o.Cost;
        var response = ChatResponses.Completion(backend.ModelName, answer);
        response.Usage = earlier is null ? response.Usage : AddUsage(response.Usage, earlier);
        var total = Stopwatch.GetElapsedTime(started);
        answering.LatencyMs = Ms(total - answeringSince);
        metadata.Path = [.. before, answering];
        metadata.LatencyMs = Ms(total);
        response.DiSRouter = metadata;
        return new CascadeResult.Completed(response);
    }

    private Hop OwnHop(string decision, ChatGeneration generation) => new()
    {
        Agent = options.Value.Name,
        Model = backend.ModelName,
        Decision = decision,
        ModelMs = Ms(generation.ModelTime),
        FirstTokenMs = generation.FirstTokenTime is { } first ? Ms(first) : null,
        PromptTokens = generation.PromptTokens,
        CompletionTokens = generation.CompletionTokens,
        DecisionLogitGap = generation.Decision is { } d ? Math.Round(d.LogitGap, 4) : null,
        DecisionThreshold = generation.Decision is { } t ? Math.Round(t.Threshold, 4) : null,
        Cost = options.Value.Cost,
    };

    /// <summary>The request as the successor gets it: α fixed in the body so that every hop uses the same one.</summary>
    private static ChatCompletionRequest ForSuccessor(ChatCompletionRequest r, Scenario scenario) => new()
    {
        Model = r.Model,
        Messages = r.Messages,
        MaxTokens = r.MaxTokens,
        MaxCompletionTokens = r.MaxCompletionTokens,
        Temperature = r.Temperature,
        TopP = r.TopP,
        Seed = r.Seed,
        N = r.N,
        Stream = r.Stream,
        Stop = r.Stop,
        Alpha = scenario.Alpha,
        Scenario = scenario.Name,
        Extra = r.Extra,
    };

    /// <summary>Usage counts every model call on the path, rejections included: it is what the network consumed.</summary>
    private static ChatUsage AddUsage(ChatUsage? usage, ChatGeneration generation)
    {
        var u = usage ?? new ChatUsage();
        u.PromptTokens += generation.PromptTokens;
        u.CompletionTokens += generation.CompletionTokens;
        u.TotalTokens = u.PromptTokens + u.CompletionTokens;
        return u;
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);
}
