using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Agents.Backends;

/// <summary>
/// A model an agent talks to: a local checkpoint or a hosted endpoint. One call may return several samples (n).
/// </summary>
internal interface IChatBackend
{
    /// <summary>The model's name, reported in responses, paths and /v1/models.</summary>
    string ModelName { get; }

    /// <summary>
    /// True when the model was not trained on the answer/reject protocol and must be told it in the system prompt
    /// (a hosted general-purpose model); false for a self-awareness-trained checkpoint, which is prompted as trained.
    /// </summary>
    bool NeedsProtocolPrompt { get; }

    /// <summary>How the scenario instruction is worded for this model: as it was trained (compact for the nano world's checkpoints).</summary>
    ScenarioPromptStyle PromptStyle { get; }

    /// <summary>
    /// Generates replies. <paramref name="shouldContinue"/> sees (sample index, text so far) as text arrives; returning
    /// false stops that sample (finish reason "aborted"), so a rejection costs only its first tokens.
    /// </summary>
    Task<ChatGeneration> GenerateAsync(ChatPrompt prompt, GenerationSettings settings,
        Func<int, string, bool>? shouldContinue, CancellationToken ct);
}

/// <summary>
/// What the model is asked. <see cref="AssistantPrefix"/> is text the reply is made to begin with (a local model
/// continues after it; the returned text includes it); a backend that cannot prefill states it as an instruction.
/// </summary>
internal sealed record ChatPrompt(string? System, IReadOnlyList<ChatMessage> Turns, string? AssistantPrefix = null)
{
    public static ChatPrompt Single(string? system, string user) => new(system, [new ChatMessage("user", user)]);
}

/// <summary>
/// Sampling settings with OpenAI's meaning (temperature 0 is greedy). Null temperature or top_p means "not asked for":
/// a local model then decodes greedily, a hosted one keeps its server's default.
/// </summary>
internal sealed record GenerationSettings
{
    public int MaxNewTokens { get; init; } = 256;
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public int N { get; init; } = 1;

    /// <summary>
    /// Set on an agent's decide call to the request's α: a backend whose model carries calibrated decision thresholds
    /// takes the answer/reject decision by them (see <see cref="Models.Checkpoints.DecisionThresholds"/>); any other
    /// backend ignores it and the model's own first words decide.
    /// </summary>
    public double? DecideAt { get; init; }

    /// <summary>
    /// Told the calibrated decision as soon as the prompt pass has taken it, before any answer token: the agent's commit
    /// point (see <see cref="Cascade.AgentDecision"/>). Only a backend that decides by thresholds calls it.
    /// </summary>
    public Action<DecisionVerdict>? OnVerdict { get; init; }
}

/// <summary>A calibrated decision: the model's logit gap (answer − reject) against the threshold for the request's α.</summary>
internal sealed record DecisionVerdict(double LogitGap, double Threshold)
{
    public bool Answers => Models.Checkpoints.DecisionThresholds.Reaches(LogitGap, Threshold);
}

/// <summary>One reply. <see cref="FinishReason"/> is "stop", "length" or "aborted" (stopped by the caller's callback).</summary>
internal sealed record ChatSample(string Text, string FinishReason, int CompletionTokens);

/// <summary>
/// A backend call's result: the samples, the prompt's token count, the time spent in the model, and how long the
/// first token took (null where the backend cannot tell): the part of an answer a rejection of the same prompt pays.
/// </summary>
internal sealed record ChatGeneration(IReadOnlyList<ChatSample> Samples, int PromptTokens, TimeSpan ModelTime, TimeSpan? FirstTokenTime = null)
{
    /// <summary>How a calibrated decision went (null when the model's own first words decided).</summary>
    public DecisionVerdict? Decision { get; init; }

    public int CompletionTokens => Samples.Sum(s => s.CompletionTokens);
}

internal static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string Aborted = "aborted";
}

/// <summary>A backend that must do work before it can serve (load a checkpoint); run once at startup.</summary>
internal interface IStartableBackend
{
    Task StartAsync(CancellationToken ct);
}

/// <summary>A request the model cannot take as it is (a prompt longer than its context): the caller's fault, a 400.</summary>
internal sealed class ModelInputException(string message) : Exception(message);

/// <summary>The model behind the agent failed or refused (a hosted endpoint's error): a 502, which a predecessor skips.</summary>
internal sealed class ModelUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
