using System.Collections.Concurrent;
using DiSRouter.Agents.Backends;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Tests.Support;

/// <summary>
/// A scripted model that can bid, as a checkpoint with a bid scale does: its P(right) on every query is
/// <paramref name="pRight"/> (null: no bid scale, so no bid). Every prompt pass for a bid is recorded.
/// </summary>
internal sealed class BiddingBackend(ScriptedBackend model, double? pRight) : IChatBackend, ISelfAssessingBackend
{
    public const string NoBidReason = "no bid.json beside the checkpoint";

    /// <summary>Tokens each bid's prompt pass reports.</summary>
    public const int PromptTokens = 100;

    private readonly ConcurrentQueue<string> _assessed = new();

    public ScriptedBackend Model => model;

    /// <summary>The queries a bid was asked for (one prompt pass each).</summary>
    public IReadOnlyList<string> Assessed => _assessed.ToArray();

    public string ModelName => model.ModelName;
    public bool NeedsProtocolPrompt => model.NeedsProtocolPrompt;
    public ScenarioPromptStyle PromptStyle => model.PromptStyle;

    public Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings, Func<int, string, bool>? shouldContinue, CancellationToken ct) =>
        model.GenerateAsync(prompt, settings, shouldContinue, ct);

    public Task<SelfAssessment> AssessAsync(Func<double, ChatPrompt> promptAt, CancellationToken ct)
    {
        _assessed.Enqueue(promptAt(0.5).Turns[^1].Content);
        return Task.FromResult(new SelfAssessment(0.5, pRight is null ? null : 1.5, pRight, TimeSpan.FromMilliseconds(2), pRight is null ? NoBidReason : null)
        {
            PromptTokens = PromptTokens,
        });
    }
}
