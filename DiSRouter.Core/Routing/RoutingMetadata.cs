using System.Text.Json.Serialization;

namespace DiSRouter.Core.Routing;

/// <summary>
/// How a request travelled the cascade: every hop in order, who answered, and what it cost.
/// The cost charged is the answering agent's cost (routing overhead is reported as latency, not charged).
/// </summary>
public sealed class RoutingMetadata
{
    [JsonPropertyName("alpha")] public double Alpha { get; set; }
    [JsonPropertyName("scenario")] public string Scenario { get; set; } = "";
    [JsonPropertyName("answered_by")] public string? AnsweredBy { get; set; }
    [JsonPropertyName("cost")] public double Cost { get; set; }
    [JsonPropertyName("latency_ms")] public double LatencyMs { get; set; }
    [JsonPropertyName("path")] public List<Hop> Path { get; set; } = [];

    /// <summary>
    /// Set when the answer is not the one the whole cascade would give: an agent was skipped as unreachable
    /// ("skipped agent-3"), or an agent that judged itself not competent had to answer because no successor could be
    /// reached. Null for an answer by the cascade as designed. The same text travels in <see cref="RoutingHeaders.Degraded"/>.
    /// </summary>
    [JsonPropertyName("degraded")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Degraded { get; set; }

    /// <summary>
    /// Set when a router chose the agent: the gateway's (the Self-Route mode, the bids mode) or the agents' own auction
    /// (mode "auction"); null in the threshold cascade.
    /// </summary>
    [JsonPropertyName("router")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RouterMetadata? Router { get; set; }
}

/// <summary>What the gateway's router did: the mode, what it stated about the query or the bids it took, whom it chose, its time.</summary>
public sealed class RouterMetadata
{
    /// <summary>"self-route", "bids" or "auction" (the agents' own, <see cref="RoutingHeaders.AuctionRule"/>).</summary>
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";

    /// <summary>The task family the router stated (Self-Route's family head); null in the bids mode.</summary>
    [JsonPropertyName("family")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Family { get; set; }

    /// <summary>The difficulty the router stated (Self-Route's difficulty head); null in the bids mode.</summary>
    [JsonPropertyName("difficulty")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Difficulty { get; set; }

    /// <summary>
    /// The bids mode's auction: every agent asked, with its bid or why it has none; in the agents' auction, every agent the
    /// query reached, in cascade order; null in Self-Route.
    /// </summary>
    [JsonPropertyName("bids")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<BidMetadata>? Bids { get; set; }

    /// <summary>The agent the router chose (a service name), and the pool model its registry knows it as.</summary>
    [JsonPropertyName("chosen")] public string Chosen { get; set; } = "";
    [JsonPropertyName("chosen_model")] public string ChosenModel { get; set; } = "";

    /// <summary>
    /// The chosen agent's expected accuracy: Self-Route's registry cell for the stated family and difficulty (measured on
    /// validation), or in the bids mode the agent's own bid.
    /// </summary>
    [JsonPropertyName("expected_accuracy")] public double ExpectedAccuracy { get; set; }

    /// <summary>The agent the request went to: the chosen one, or where it was down the one that stood in (see <see cref="RoutingMetadata.Degraded"/>).</summary>
    [JsonPropertyName("forwarded_to")] public string ForwardedTo { get; set; } = "";

    /// <summary>
    /// The router's own time in the gateway: the heads' forward and the choice, or the whole auction (every agent's prompt
    /// pass, concurrently). In the agents' auction, the bidders' prompt passes on the path, one after another.
    /// </summary>
    [JsonPropertyName("router_ms")] public double RouterMs { get; set; }
}

/// <summary>One agent's bid in the bids mode: its P(right), its cost and p − α·c, or why it is out of the auction.</summary>
public sealed class BidMetadata
{
    [JsonPropertyName("agent")] public string Agent { get; set; } = "";

    [JsonPropertyName("p_right")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PRight { get; set; }

    [JsonPropertyName("cost")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Cost { get; set; }

    /// <summary>p − α·c at the request's α: the auction's score.</summary>
    [JsonPropertyName("utility")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Utility { get; set; }

    /// <summary>The agent's first-token logit gap the bid was read from.</summary>
    [JsonPropertyName("logit_gap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LogitGap { get; set; }

    /// <summary>Why the agent is out of the auction (it failed, timed out, or has no bid scale); null for a bid.</summary>
    [JsonPropertyName("absent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Absent { get; set; }
}

/// <summary>One agent's part in a request.</summary>
public sealed class Hop
{
    [JsonPropertyName("agent")] public string Agent { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";

    /// <summary>
    /// "answer", "reject", "unreachable", "failed", under the auction rule "bid", "no-bid" or "hand-back", or, for the
    /// gateway's central router, "route" (see <see cref="HopDecision"/>).
    /// </summary>
    [JsonPropertyName("decision")] public string Decision { get; set; } = HopDecision.Answer;

    /// <summary>Wall time spent in this agent (model time included, successors excluded).</summary>
    [JsonPropertyName("latency_ms")] public double LatencyMs { get; set; }

    /// <summary>Time spent in the model call alone, so routing overhead = latency − model time.</summary>
    [JsonPropertyName("model_ms")] public double ModelMs { get; set; }

    /// <summary>
    /// Model time until the first token was chosen (null where the backend cannot tell): the prompt pass. On an answer
    /// hop it is what a rejection of that same prompt would have cost, so reject and answer times compare like for like.
    /// </summary>
    [JsonPropertyName("first_token_ms")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FirstTokenMs { get; set; }

    /// <summary>
    /// Tokens the model read for this hop's decision or answer (null for an unreachable hop). WHY on every hop: a
    /// rejection's time is its prompt pass, so comparing reject and answer times means little without the prompts'
    /// lengths; the questions an agent declines are not the ones it answers.
    /// </summary>
    [JsonPropertyName("prompt_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PromptTokens { get; set; }

    /// <summary>Tokens the model generated for this hop (a rejection stopped early: one or a few).</summary>
    [JsonPropertyName("completion_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CompletionTokens { get; set; }

    /// <summary>
    /// Where the agent decided by calibrated thresholds: its first-token logit gap (answer − reject) and the threshold
    /// for the request's α it was held against (answer when gap ≥ threshold). Null where the model's own first words
    /// decided (an uncalibrated checkpoint, a hosted model, the last agent).
    /// </summary>
    [JsonPropertyName("decision_logit_gap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DecisionLogitGap { get; set; }

    /// <inheritdoc cref="DecisionLogitGap"/>
    [JsonPropertyName("decision_threshold")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DecisionThreshold { get; set; }

    /// <summary>The agent's fixed normalised cost c_i ∈ [0, 1].</summary>
    [JsonPropertyName("cost")] public double Cost { get; set; }

    /// <summary>Under the auction rule, on a <see cref="HopDecision.Bid"/> hop: the agent's own P(right) (its bid).</summary>
    [JsonPropertyName("p_right")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PRight { get; set; }

    /// <summary>Under the auction rule, on a <see cref="HopDecision.Bid"/> hop: its bid's p − α·c.</summary>
    [JsonPropertyName("utility")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Utility { get; set; }

    [JsonPropertyName("error")] public string? Error { get; set; }
}

public static class HopDecision
{
    public const string Answer = "answer";
    public const string Reject = "reject";
    public const string Unreachable = "unreachable";

    /// <summary>
    /// The agent failed after it began to answer (its model broke, or its process died mid-stream): the hop on the
    /// path of a stream's error event. Its tokens are unknown (null): the agent never reported them.
    /// </summary>
    public const string Failed = "failed";

    /// <summary>A central router's hop in the gateway: it chose the agent that answers (no model call, no cost).</summary>
    public const string Route = "route";

    /// <summary>Under the auction rule: the agent bid (one prompt pass) and passed the query on with the best bid so far.</summary>
    public const string Bid = "bid";

    /// <summary>Under the auction rule: the agent has no bid (no bid scale, a hosted model) and passed the query on; the reason is its error.</summary>
    public const string NoBid = "no-bid";

    /// <summary>
    /// Under the auction rule: the agent handed the query back to the best bidder upstream, without a prompt pass when
    /// its cost left it no way to outbid (the reason is its error), or after bidding when it was the last to ask.
    /// </summary>
    public const string HandBack = "hand-back";
}
