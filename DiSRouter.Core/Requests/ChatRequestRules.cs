using System.Globalization;
using System.Text.Json;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Requests;

/// <summary>
/// What a valid chat completion request is, stated once. <see cref="Validate"/> holds for every endpoint (the gateway,
/// an agent's cascade and its raw model); <see cref="ValidateForCascade"/> adds what routing one query through the
/// agents needs. Each rule returns the reason a client reads.
/// </summary>
public static class ChatRequestRules
{
    /// <summary>The roles a message may have; "developer" is OpenAI's newer name for "system" and is read as it.</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string> { "system", "developer", "user", "assistant" };

    /// <summary>The most stop sequences OpenAI's API accepts.</summary>
    public const int MaxStopSequences = 4;

    /// <summary>The most samples one request may ask for.</summary>
    public const int MaxSamples = 16;

    /// <summary>
    /// The smallest token limit the cascade accepts: a rejection must fit ("I don't know" is 12 byte tokens), or a
    /// reply cut inside it could be taken for neither an answer nor a rejection.
    /// </summary>
    public const int MinTokensToDecide = 16;

    /// <summary>Checks a parsed request; normalises "developer" to "system" in place. Null when it is valid.</summary>
    public static string? Validate(ChatCompletionRequest r)
    {
        if (r.Messages is null || r.Messages.Count == 0) return "'messages' is required and must hold at least one message.";
        for (var i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            if (m is null) return $"'messages[{i}]' is null.";
            if (string.IsNullOrWhiteSpace(m.Role)) return $"'messages[{i}].role' is required.";
            if (!Roles.Contains(m.Role)) return $"'messages[{i}].role' is '{m.Role}'; supported roles are system, developer, user and assistant.";
            if (string.IsNullOrWhiteSpace(m.Content)) return $"'messages[{i}].content' is empty.";
            if (m.Role == "developer") r.Messages[i] = m with { Role = "system" };
        }
        // The query to answer is the last turn: a conversation that ends with the assistant asks nothing.
        if (r.Messages.LastOrDefault(m => m.Role != "system") is not { Role: "user" })
            return "The conversation must end with a user message (the query to answer).";

        if (r.MaxTokens is <= 0) return $"'max_tokens' must be positive, got {r.MaxTokens}.";
        if (r.MaxCompletionTokens is <= 0) return $"'max_completion_tokens' must be positive, got {r.MaxCompletionTokens}.";
        if (r.N is { } n && (n < 1 || n > MaxSamples)) return $"'n' must lie in [1, {MaxSamples}], got {n}.";
        if (r.Temperature is { } t && !(t is >= 0 and <= 2)) return $"'temperature' must lie in [0, 2], got {Format(t)}.";
        if (r.TopP is { } p && !(p is > 0 and <= 1)) return $"'top_p' must lie in (0, 1], got {Format(p)}.";
        if (StopError(r) is { } stop) return stop;
        if (r.Alpha is { } a && !(a is >= 0 and <= 1)) return $"'alpha' must lie in [0, 1], got {Format(a)}.";
        if (r.Scenario is { } s && !Scenario.TryParse(s, out _)) return ScenarioSelector.UnknownScenario("'scenario'", s);
        return null;
    }

    /// <summary>What the cascade adds: one reply per query, with room in it to decline.</summary>
    public static string? ValidateForCascade(ChatCompletionRequest r)
    {
        if (r.N is > 1) return $"The cascade routes one reply per query ('n' must be 1, got {r.N}); ask an agent's raw endpoint for several samples.";
        if (r.TokenLimit is < MinTokensToDecide)
            return $"The cascade needs room for an agent to say \"{ScenarioPrompt.RejectText}\": the token limit must be at least {MinTokensToDecide}, got {r.TokenLimit}.";
        return null;
    }

    private static string? StopError(ChatCompletionRequest r)
    {
        if (r.Stop is not { } stop) return null;
        var ok = stop.ValueKind is JsonValueKind.Null or JsonValueKind.String ||
                 (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String));
        if (!ok) return "'stop' must be a string or an array of strings.";
        var stops = r.StopStrings();
        if (stops.Count > MaxStopSequences) return $"'stop' holds {stops.Count} sequences; at most {MaxStopSequences} are allowed.";
        if (stops.Any(s => s.Length == 0)) return "'stop' sequences must not be empty.";
        return null;
    }

    private static string Format(double x) => x.ToString(CultureInfo.InvariantCulture);
}
