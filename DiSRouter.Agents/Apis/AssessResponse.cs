using System.Text.Json.Serialization;

namespace DiSRouter.Agents.Apis;

/// <summary>
/// POST /v1/assess: the agent's bid for one query. <see cref="PRight"/> is its probability that its own answer is right
/// (its logit gap through bid.json); null where it cannot bid, with <see cref="NoBid"/> saying why. The gateway's bids mode
/// weighs it against <see cref="Cost"/>: p − α·c.
/// </summary>
internal sealed record AssessResponse(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("cost")] double Cost,
    [property: JsonPropertyName("prompt_alpha")] double PromptAlpha,
    [property: JsonPropertyName("logit_gap"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? LogitGap,
    [property: JsonPropertyName("p_right"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PRight,
    [property: JsonPropertyName("prompt_ms"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PromptMs,
    [property: JsonPropertyName("no_bid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NoBid);
