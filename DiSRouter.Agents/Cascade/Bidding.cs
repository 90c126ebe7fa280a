using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Telemetry;
using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Agents.Cascade;

/// <summary>
/// An agent's bid on one conversation: the decision's prompt pass under its bid scale's scenario prompt (one α for every
/// request: the request's α weighs the bid afterwards), read through that scale. One way for POST /v1/assess and the
/// auction rule, so the gateway's bids mode and the agents' auction see the same bid.
/// </summary>
internal static class Bidding
{
    public static async Task<SelfAssessment> AssessAsync(IChatBackend backend, AgentTelemetry telemetry, string agent, ConversationParts conversation, CancellationToken ct)
    {
        if (backend is not ISelfAssessingBackend bidder)
            return new SelfAssessment(BidScale.DefaultPromptAlpha, null, null, null,
                $"a hosted model ({backend.ModelName}) writes text; it has no first-token logit gap to bid with");
        var a = await bidder.AssessAsync(alpha => AgentPrompts.Decide(Scenario.FromAlpha(alpha), backend, conversation), ct);
        // A bid's prompt pass is model time like a decision's: the model-latency histogram counts it, purpose "assess".
        if (a.PromptTime is { } passed) telemetry.RecordModelCall(agent, backend.ModelName, passed, "assess");
        return a;
    }
}
