using System.Globalization;
using System.Text.Json;
using DiSRouter.Agents.Backends;
using DiSRouter.Agents.Cascade;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DiSRouter.Agents.Apis;

/// <summary>
/// Reads and checks a chat completion request. Every refusal is a problem+json with the reason, never a silent default.
/// </summary>
internal static class ChatRequests
{
    /// <summary>The most stop sequences OpenAI's API accepts.</summary>
    public const int MaxStopSequences = 4;

    /// <summary>The most samples one raw request may ask for.</summary>
    public const int MaxSamples = 16;

    public const string ModelAliasPrefix = "disrouter-";

    public static async Task<(ChatCompletionRequest? Request, ProblemHttpResult? Problem)> ReadAsync(HttpRequest http, CancellationToken ct)
    {
        ChatCompletionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ChatCompletionRequest>(http.Body, AgentJson.Options, ct);
        }
        catch (JsonException ex)
        {
            var why = http.ContentLength == 0 ? "The request body is empty; send a JSON chat completion request."
                : $"The request body is not a valid chat completion request: {ex.Message}";
            return (null, Problems.BadRequest(why));
        }
        if (request is null) return (null, Problems.BadRequest("The request body is JSON null; send a chat completion request."));
        return (request, Validate(request));
    }

    /// <summary>Checks the fields both endpoints share.</summary>
    public static ProblemHttpResult? Validate(ChatCompletionRequest r)
    {
        if (r.Messages is null || r.Messages.Count == 0)
            return Problems.BadRequest("'messages' must hold at least one message.");
        for (int i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            if (m is null) return Problems.BadRequest($"messages[{i}] is null.");
            if (m.Role is not ("system" or "developer" or "user" or "assistant"))
                return Problems.BadRequest($"messages[{i}].role '{m.Role}' is not supported; use system, developer, user or assistant.");
            if (m.Content is null) return Problems.BadRequest($"messages[{i}].content is missing.");
        }
        var last = r.Messages.LastOrDefault(m => !ConversationParts.IsSystem(m.Role));
        if (last is null || last.Role != "user")
            return Problems.BadRequest("The conversation must end with a user message (the query to answer).");
        if (r.Temperature is { } t && (double.IsNaN(t) || t < 0 || t > 2))
            return Problems.BadRequest($"'temperature' must lie in [0, 2], got {Format(t)}.");
        if (r.TopP is { } p && (double.IsNaN(p) || p <= 0 || p > 1))
            return Problems.BadRequest($"'top_p' must lie in (0, 1], got {Format(p)}.");
        if (r.MaxCompletionTokens is <= 0) return Problems.BadRequest($"'max_completion_tokens' must be positive, got {r.MaxCompletionTokens}.");
        if (r.MaxTokens is <= 0) return Problems.BadRequest($"'max_tokens' must be positive, got {r.MaxTokens}.");
        if (r.N is { } n && (n < 1 || n > MaxSamples)) return Problems.BadRequest($"'n' must lie in [1, {MaxSamples}], got {n}.");
        if (r.Stop is { } stop)
        {
            var ok = stop.ValueKind is JsonValueKind.Null or JsonValueKind.String ||
                     (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String));
            if (!ok) return Problems.BadRequest("'stop' must be a string or an array of strings.");
            var stops = r.StopStrings();
            if (stops.Count > MaxStopSequences) return Problems.BadRequest($"'stop' holds {stops.Count} sequences; at most {MaxStopSequences} are allowed.");
            if (stops.Any(s => s.Length == 0)) return Problems.BadRequest("'stop' sequences must not be empty.");
        }
        return null;
    }

    /// <summary>
    /// The preference α: body <c>alpha</c>, then body <c>scenario</c>, then the headers X-DiSRouter-Alpha and
    /// X-DiSRouter-Scenario, then a model alias "disrouter-{scenario}"; Balance when none is given.
    /// </summary>
    public static ProblemHttpResult? TryResolveScenario(ChatCompletionRequest r, IHeaderDictionary headers, out Scenario scenario)
    {
        scenario = Scenario.Balance;
        if (r.Alpha is { } a)
        {
            if (double.IsNaN(a) || a < 0 || a > 1) return Problems.BadRequest($"'alpha' must lie in [0, 1], got {Format(a)}.");
            scenario = Scenario.FromAlpha(a);
            return null;
        }
        if (r.Scenario is not null)
            return Scenario.TryParse(r.Scenario, out scenario) ? null : Problems.BadRequest(UnknownScenario("'scenario'", r.Scenario));
        if (headers.TryGetValue(RoutingHeaders.Alpha, out var alphaHeader))
        {
            var text = alphaHeader.ToString().Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) || double.IsNaN(h) || h < 0 || h > 1)
                return Problems.BadRequest($"Header {RoutingHeaders.Alpha} must be a number in [0, 1], got '{text}'.");
            scenario = Scenario.FromAlpha(h);
            return null;
        }
        if (headers.TryGetValue(RoutingHeaders.Scenario, out var scenarioHeader))
            return Scenario.TryParse(scenarioHeader.ToString(), out scenario)
                ? null : Problems.BadRequest(UnknownScenario($"Header {RoutingHeaders.Scenario}", scenarioHeader.ToString()));
        if (r.Model is { } model && model.StartsWith(ModelAliasPrefix, StringComparison.OrdinalIgnoreCase) &&
            Scenario.TryParse(model[ModelAliasPrefix.Length..], out var fromAlias))
            scenario = fromAlias;
        return null;
    }

    /// <summary>Agents the request has passed, from X-DiSRouter-Hops (absent = 0, straight from a client or the gateway).</summary>
    public static ProblemHttpResult? TryReadHops(IHeaderDictionary headers, out int hops)
    {
        hops = 0;
        if (!headers.TryGetValue(RoutingHeaders.HopCount, out var value)) return null;
        if (int.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out hops)) return null;
        return Problems.BadRequest($"Header {RoutingHeaders.HopCount} must be a non-negative integer, got '{value}'.");
    }

    public static GenerationSettings Settings(ChatCompletionRequest r, AgentOptions o) => new()
    {
        MaxNewTokens = Math.Min(o.MaxNewTokens, r.TokenLimit ?? o.MaxNewTokens),
        Temperature = r.Temperature,
        TopP = r.TopP,
        Seed = r.Seed,
        Stop = r.StopStrings(),
        N = r.N ?? 1,
    };

    private static string UnknownScenario(string where, string value) =>
        $"{where} '{value}' is not a scenario; use performance-first, balance, cost-first or a number in [0, 1].";

    private static string Format(double x) => x.ToString(CultureInfo.InvariantCulture);
}
