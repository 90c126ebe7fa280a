using System.Diagnostics;
using System.Runtime.CompilerServices;
using DiSRouter.Agents.Apis;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Requests;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.Extensions.Options;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// One hop of the cascade. The model sees the scenario instruction and the query and decides (<see cref="AgentDecision"/>).
/// Answer: the answer streams as it is generated. Reject: the query goes to the first reachable successor, whose stream
/// is relayed with this agent's hop joined to the routing metadata of its last chunk. Before the commit point (a
/// decision to answer, or a successor's 200) a failed successor is skipped; after it, a failure ends the stream with an
/// error chunk. The last agent, and an agent whose successors are all unreachable, answer without the option to reject.
/// Under the auction rule the agent bids instead of deciding (CascadeAgent.Auction.cs).
/// </summary>
internal sealed partial class CascadeAgent(
    IChatBackend backend,
    SuccessorClient successors,
    IOptions<AgentOptions> options,
    AgentTelemetry telemetry,
    ILogger<CascadeAgent> logger)
{
    public const string FallbackNote = "answered after every successor was unreachable";

    /// <summary>
    /// The share of the caller's remaining commit budget a successor gets: the rest (20 %) is this agent's time to try
    /// the next successor or to answer itself (a prompt pass) after giving up on one that hangs.
    /// </summary>
    private const double BudgetShare = 0.8;

    /// <summary>Below this a successor is not asked at all: no answer could come back in time.</summary>
    private static readonly TimeSpan MinimumForward = TimeSpan.FromMilliseconds(200);

    /// <inheritdoc cref="ChatRequestRules.MinTokensToDecide"/>
    public const int MinTokensToDecide = ChatRequestRules.MinTokensToDecide;

    /// <param name="request">A validated request (messages present, n = 1).</param>
    /// <param name="hops">Agents the request passed before this one.</param>
    /// <param name="started">Stopwatch timestamp of the request's arrival, so parsing counts as this hop's overhead.</param>
    /// <param name="commitBudget">How long the caller waits for this agent to commit (<see cref="RoutingHeaders.CommitBudget"/>), or null.</param>
    /// <param name="routedBy">The central router that chose this agent (from the gateway): it answers without deciding.</param>
    /// <param name="auction">The auction rule and the best bid so far (<see cref="RoutingHeaders.Rule"/>), or null for the threshold cascade.</param>
    public async Task<CascadeResult> HandleAsync(ChatCompletionRequest request, Scenario scenario, int hops,
        GenerationSettings settings, long started, CancellationToken ct, TimeSpan? commitBudget = null, string? routedBy = null,
        AuctionCall? auction = null)
    {
        var o = options.Value;
        // The hop's span lives until its stream ends: the answer is part of the hop.
        var activity = AgentTelemetry.Source.StartActivity("agent.cascade");
        activity?.SetTag(AgentTags.Agent, o.Name);
        activity?.SetTag(AgentTags.Alpha, scenario.Alpha);
        activity?.SetTag(AgentTags.Scenario, scenario.Name);
        activity?.SetTag(AgentTags.Hops, hops);
        activity?.SetTag(AgentTags.Cost, o.Cost);
        if (routedBy is not null) activity?.SetTag(AgentTags.RoutedBy, routedBy);
        try
        {
            var conversation = ConversationParts.From(request.Messages);
            var metadata = new RoutingMetadata { Alpha = scenario.Alpha, Scenario = scenario.Name };
            settings = settings with { N = 1 };

            // The last agent has no one to pass to; an agent a central router chose was asked for its answer, not its judgement.
            if ((o.IsLast && auction is null) || routedBy is not null)
                return await AnswerAsync(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings, null, [], null, metadata, started, activity, ct);
            if (auction is not null)
                return await AuctionAsync(request, scenario, hops, settings, started, commitBudget, auction.Best, conversation, metadata, activity, ct);

            // 1) decide: the model's first token, by thresholds or by its words
            var decideAfter = o.RejectionDecidedAfter ?? (backend.NeedsProtocolPrompt ? 0 : 1);
            var watch = new DecisionWatch(canReject: true, decideAfter, settings.Stop);
            var deciding = Run(AgentPrompts.Decide(scenario, backend, conversation),
                settings with { DecideAt = scenario.Alpha, OnVerdict = watch.OnVerdict }, watch, "decide", ct);
            var decision = await watch.Decided;
            if (decision.Answers) return Commit(watch, deciding, decision, [], null, metadata, started, activity);

            // 2) rejected: this hop's time ends here; whatever the successors take is theirs
            var first = await deciding;
            RecordDecision(activity, decision, first, scenario.Alpha);
            var rejectHop = OwnHop(decision.HopDecision, first, decision);
            rejectHop.LatencyMs = Ms(Stopwatch.GetElapsedTime(started));
            var (taken, skipped) = await ForwardAsync(request, scenario, hops, started, commitBudget, null, ct);
            switch (taken)
            {
                case ForwardOutcome.Committed committed:
                    var degraded = Degradation.Join(Degradation.Skipped(skipped), committed.Stream.Degraded);
                    return new CascadeResult.Answering(Relay(committed.Stream, scenario, rejectHop, skipped, first, degraded, started, activity, null, ct), degraded);
                case ForwardOutcome.Refused refused:
                    activity?.Dispose();
                    return new CascadeResult.PassedBack(refused.StatusCode, refused.Body, refused.ContentType);
                case ForwardOutcome.HandedBack handedBack:
                    // A successor under the auction rule, though this request travels under the threshold rule: a mis-set
                    // chain. Passed back as it came, it ends at the gateway as a 502 that says so.
                    activity?.Dispose();
                    return new CascadeResult.HandingBack(handedBack.HandBack);
            }

            // 3) every successor is down: answering here beats returning nothing; the answer is marked on its hop
            Log.AnsweringAfterAllUnreachable(logger, o.Name);
            metadata.Degraded = Degradation.Fallback(o.Name, skipped);
            return await AnswerAsync(AgentPrompts.AnswerOnly(scenario, backend, conversation), settings, FallbackNote,
                [rejectHop, .. skipped], first, metadata, started, activity, ct);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The request to the successors in order until one takes it (commits, refuses, or under the auction rule hands it
    /// back): each gets a share of what is left of the caller's commit budget; the ones that cannot be reached are skipped
    /// and listed. Null when none took it.
    /// </summary>
    private async Task<(ForwardOutcome? Taken, List<Hop> Skipped)> ForwardAsync(ChatCompletionRequest request, Scenario scenario, int hops, long started,
        TimeSpan? commitBudget, AuctionCall? auction, CancellationToken ct)
    {
        var o = options.Value;
        var skipped = new List<Hop>();
        foreach (var successor in o.Successors)
        {
            var timeout = o.TimeoutFor(successor);
            if (commitBudget is { } budget)
            {
                // a share of what is left of the caller's wait: if this successor hangs, this agent gives up first
                var share = (budget - Stopwatch.GetElapsedTime(started)) * BudgetShare;
                if (share < MinimumForward)
                {
                    skipped.Add(new Hop { Agent = successor, Model = "", Decision = HopDecision.Unreachable, Error = "not asked: the caller's commit budget is spent" });
                    continue;
                }
                if (share < timeout) timeout = share;
            }
            var outcome = await successors.OpenAsync(successor, request, hops + 1, scenario, timeout, TimeSpan.FromSeconds(o.StreamIdleTimeoutSeconds), ct, auction);
            if (outcome is not ForwardOutcome.Unreachable down) return (outcome, skipped);
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
        }
        return (null, skipped);
    }

    /// <summary>An answer without the option to reject: committed at once, streamed as generated.</summary>
    private async Task<CascadeResult> AnswerAsync(ChatPrompt prompt, GenerationSettings settings, string? note, List<Hop> before,
        ChatGeneration? earlier, RoutingMetadata metadata, long started, Activity? activity, CancellationToken ct)
    {
        var watch = new DecisionWatch(canReject: false, 0, settings.Stop);
        var answering = Run(prompt, settings, watch, "answer-only", ct);
        var decision = await watch.Decided;
        return Commit(watch, answering, decision, before, earlier, metadata, started, activity, note);
    }

    /// <summary>Starts the model in the background; the watch learns the decision and the text as they come.</summary>
    private Task<ChatGeneration> Run(ChatPrompt prompt, GenerationSettings settings, DecisionWatch watch, string purpose, CancellationToken ct) =>
        Task.Run(async () =>
        {
            try
            {
                var generation = await telemetry.GenerateAsync(backend, options.Value.Name, purpose, prompt, settings, watch.OnText, ct);
                watch.Completed(generation);
                return generation;
            }
            catch (Exception ex)
            {
                watch.Failed(ex);
                throw;
            }
        }, CancellationToken.None);

    private CascadeResult Commit(DecisionWatch watch, Task<ChatGeneration> generation, AgentDecision decision, List<Hop> before,
        ChatGeneration? earlier, RoutingMetadata metadata, long started, Activity? activity, string? note = null)
    {
        // Observed here so that a failure after the commit point is never an unobserved task exception.
        _ = generation.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return new CascadeResult.Answering(OwnAnswer(watch, generation, decision, before, earlier, metadata, started, activity, note), metadata.Degraded);
    }

    private async IAsyncEnumerable<ChatCompletionChunk> OwnAnswer(DecisionWatch watch, Task<ChatGeneration> generation, AgentDecision decision,
        List<Hop> before, ChatGeneration? earlier, RoutingMetadata metadata, long started, Activity? activity, string? note)
    {
        var o = options.Value;
        var answeringSince = before.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started);
        var chunks = new ChunkFactory(backend.ModelName);
        try
        {
            yield return chunks.Role();
            var firstText = true;
            while (true)
            {
                string? delta = null;
                Exception? failure = null;
                try
                {
                    if (!await watch.Deltas.WaitToReadAsync()) break;
                    watch.Deltas.TryRead(out delta);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                if (failure is not null)
                {
                    var message = $"{o.Name}'s model failed after it began to answer: {failure.Message}";
                    metadata.Path = [.. before, FailedHop(o.Name, backend.ModelName, o.Cost, message)];
                    metadata.LatencyMs = Ms(Stopwatch.GetElapsedTime(started));
                    yield return Failed(activity, o.Name, message, metadata, earlier is null ? null : AddUsage(new ChatUsage(), earlier));
                    yield break;
                }
                if (delta is null) continue;
                if (firstText)
                {
                    telemetry.RecordTimeToFirstToken(o.Name, Stopwatch.GetElapsedTime(started));
                    firstText = false;
                }
                yield return chunks.Text(delta);
            }

            var answer = await generation; // finished: the channel completed without a failure
            RecordDecision(activity, decision, answer, metadata.Alpha);
            var hop = OwnHop(HopDecision.Answer, answer, decision);
            hop.Error = note;
            var total = Stopwatch.GetElapsedTime(started);
            hop.LatencyMs = Ms(total - answeringSince);
            metadata.AnsweredBy = o.Name;
            metadata.Cost = o.Cost;
            metadata.Path = [.. before, hop];
            metadata.LatencyMs = Ms(total);
            var usage = ChatResponses.Usage(answer);
            if (earlier is not null) usage = AddUsage(usage, earlier);
            telemetry.RecordAnswer(o.Name, o.Cost);
            yield return chunks.Last(ChatResponses.OpenAiFinishReason(answer.Samples[0].FinishReason), usage, metadata);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>
    /// The successor's chunks as they come; its last one gets this agent's hop (and skipped ones) in front, and under the
    /// auction rule this agent's bid (and the skipped ones') in front of the auction's bids.
    /// </summary>
    /// <param name="first">This agent's own model call (its rejection), whose tokens join the usage; null for a bid, whose tokens are not counted.</param>
    private async IAsyncEnumerable<ChatCompletionChunk> Relay(SuccessorStream stream, Scenario scenario, Hop rejectHop, List<Hop> skipped, ChatGeneration? first,
        string? degraded, long started, Activity? activity, IReadOnlyList<BidMetadata>? bids, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var o = options.Value;
        await using var _ = stream;
        try
        {
            await using var reader = stream.ReadAsync(ct).GetAsyncEnumerator(ct);
            while (true)
            {
                ChatCompletionChunk? chunk = null;
                Exception? failure = null;
                try
                {
                    if (await reader.MoveNextAsync()) chunk = reader.Current;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    failure = ex;
                }
                if (failure is not null)
                {
                    // The successor died mid-answer: what it spent is unknown, what this agent and the skipped ones spent is not.
                    var message = $"{stream.Successor} failed after it began to answer: {SuccessorClient.Describe(failure)}";
                    var routing = new RoutingMetadata
                    {
                        Alpha = scenario.Alpha,
                        Scenario = scenario.Name,
                        Path = [rejectHop, .. skipped, FailedHop(stream.Successor, "", 0, message)],
                        Degraded = degraded,
                        LatencyMs = Ms(Stopwatch.GetElapsedTime(started)),
                    };
                    yield return Failed(activity, stream.Successor, message, routing, AddUsage(new ChatUsage(), first));
                    yield break;
                }
                if (chunk is null) yield break;
                if (chunk.Error is not null)
                {
                    // A failure further down: its event carries the hops behind this one; this agent's go in front.
                    activity?.SetStatus(ActivityStatusCode.Error, chunk.Error.Message);
                    chunk.DiSRouter ??= new RoutingMetadata { Alpha = scenario.Alpha, Scenario = scenario.Name };
                }
                if (chunk.DiSRouter is { } downstream)
                {
                    downstream.Path = [rejectHop, .. skipped, .. downstream.Path];
                    downstream.Degraded = degraded;
                    downstream.LatencyMs = Ms(Stopwatch.GetElapsedTime(started));
                    if (bids is not null && downstream.Router is { Mode: RoutingHeaders.AuctionRule, Bids: { } auctionBids } router)
                    {
                        router.Bids = [.. bids, .. auctionBids];
                        router.RouterMs = Math.Round(router.RouterMs + rejectHop.ModelMs, 3);
                    }
                    chunk.Usage = AddUsage(chunk.Usage ?? new ChatUsage(), first);
                }
                yield return chunk;
                if (chunk.Error is not null) yield break;
            }
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>The error event: what failed, and the hops so far (no one answered, so no cost), for the ledger.</summary>
    private ChatCompletionChunk Failed(Activity? activity, string agent, string message, RoutingMetadata routing, ChatUsage? usage)
    {
        Log.FailedAfterCommit(logger, options.Value.Name, message);
        activity?.SetStatus(ActivityStatusCode.Error, message);
        routing.AnsweredBy = null;
        routing.Cost = 0;
        return new ChatCompletionChunk
        {
            Id = ChatResponses.NewId(),
            Model = backend.ModelName,
            Error = new StreamError { Message = message, Agent = agent },
            DiSRouter = routing,
            Usage = usage,
        };
    }

    private static Hop FailedHop(string agent, string model, double cost, string message) =>
        new() { Agent = agent, Model = model, Decision = HopDecision.Failed, Cost = cost, Error = message };

    private void RecordDecision(Activity? activity, AgentDecision decision, ChatGeneration generation, double alpha)
    {
        var o = options.Value;
        telemetry.RecordDecision(o.Name, decision.HopDecision);
        Log.Decided(logger, o.Name, decision.HopDecision, alpha, generation.ModelTime.TotalMilliseconds);
        if (activity is null) return;
        activity.SetTag(AgentTags.Decision, decision.HopDecision);
        activity.SetTag(AgentTags.InputTokens, generation.PromptTokens);
        activity.SetTag(AgentTags.OutputTokens, generation.CompletionTokens);
        if (decision.Calibrated is { } v)
        {
            activity.SetTag(AgentTags.LogitGap, v.LogitGap);
            activity.SetTag(AgentTags.Threshold, v.Threshold);
        }
    }

    private Hop OwnHop(string decision, ChatGeneration generation, AgentDecision how) => new()
    {
        Agent = options.Value.Name,
        Model = backend.ModelName,
        Decision = decision,
        ModelMs = Ms(generation.ModelTime),
        FirstTokenMs = generation.FirstTokenTime is { } first ? Ms(first) : null,
        PromptTokens = generation.PromptTokens,
        CompletionTokens = generation.CompletionTokens,
        DecisionLogitGap = how.Calibrated is { } d ? Math.Round(d.LogitGap, 4) : null,
        DecisionThreshold = how.Calibrated is { } t ? Math.Round(t.Threshold, 4) : null,
        Cost = options.Value.Cost,
    };

    /// <summary>Usage counts every model call on the path, rejections included: it is what the network consumed.</summary>
    private static ChatUsage AddUsage(ChatUsage usage, ChatGeneration? generation)
    {
        if (generation is null) return usage;
        usage.PromptTokens += generation.PromptTokens;
        usage.CompletionTokens += generation.CompletionTokens;
        usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens;
        return usage;
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);
}
