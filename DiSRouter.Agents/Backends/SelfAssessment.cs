namespace DiSRouter.Agents.Backends;

/// <summary>
/// What an agent's prompt pass says of its competence on one query, for a bid (<c>POST /v1/assess</c>): the α of the
/// scenario prompt it was read under, the first-token logit gap (null where there is none: a hosted model, an uncalibrated
/// checkpoint), the probability that its own answer is right (null without a bid scale for these weights), the pass's
/// time, and why there is no probability when there is none.
/// </summary>
internal sealed record SelfAssessment(double PromptAlpha, double? LogitGap, double? PRight, TimeSpan? PromptTime, string? NoBid)
{
    /// <summary>Tokens the prompt pass read (null where there was none): compute the auction rule books on the bid's hop.</summary>
    public int? PromptTokens { get; init; }
}

/// <summary>
/// A backend that can bid: its model's prompt pass read as a self-assessment (a local checkpoint with a logit gap). What
/// POST /v1/assess and the auction rule ask; a backend without it (a hosted model) has nothing to bid with.
/// </summary>
internal interface ISelfAssessingBackend
{
    /// <summary><paramref name="promptAt"/> builds the decision prompt for the α the bid scale was fitted under.</summary>
    Task<SelfAssessment> AssessAsync(Func<double, ChatPrompt> promptAt, CancellationToken ct);
}
