using System.Globalization;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Requests;

/// <summary>
/// Picks a request's scenario (the preference factor α) once, where it enters the network. Precedence, most specific
/// first: body "alpha" → body "scenario" → header X-DiSRouter-Alpha → header X-DiSRouter-Scenario → the model alias →
/// Balance. The body is per request while headers are often set once per client, hence body before header; the model
/// alias is the coarsest choice. A value that is given but invalid is an error, never silently skipped.
/// Every later hop takes the chosen α from <see cref="RoutingHeaders.Alpha"/> (<see cref="FromHop"/>), so α is never
/// chosen twice.
/// </summary>
public static class ScenarioSelector
{
    /// <param name="fromModel">The scenario the request's model alias names, if it names one.</param>
    public static ScenarioSelection Select(ChatCompletionRequest request, string? alphaHeader, string? scenarioHeader, Scenario? fromModel)
    {
        if (request.Alpha is { } alpha)
            return alpha is >= 0 and <= 1
                ? new(Scenario.FromAlpha(alpha), "body alpha", null)
                : new(null, "body alpha", $"'alpha' must lie in [0, 1], got {alpha.ToString(CultureInfo.InvariantCulture)}.");

        if (request.Scenario is { } name)
            return Scenario.TryParse(name, out var s) ? new(s, "body scenario", null) : new(null, "body scenario", UnknownScenario("'scenario'", name));

        if (alphaHeader is not null)
            return ParseAlpha(alphaHeader) is { } a ? new(Scenario.FromAlpha(a), "header alpha", null) : new(null, "header alpha", BadAlphaHeader(alphaHeader));

        if (scenarioHeader is not null)
            return Scenario.TryParse(scenarioHeader, out var s)
                ? new(s, "header scenario", null)
                : new(null, "header scenario", UnknownScenario($"Header {RoutingHeaders.Scenario}", scenarioHeader));

        return fromModel is not null ? new(fromModel, "model alias", null) : new(Scenario.Balance, "default", null);
    }

    /// <summary>A hop inside the network: the α its entry chose travels in <see cref="RoutingHeaders.Alpha"/>, required.</summary>
    public static ScenarioSelection FromHop(string? alphaHeader)
    {
        if (alphaHeader is null)
            return new(null, "hop", $"A request passed on by another agent ({RoutingHeaders.HopCount} set) must carry the chosen α in {RoutingHeaders.Alpha}.");
        return ParseAlpha(alphaHeader) is { } a ? new(Scenario.FromAlpha(a), "hop", null) : new(null, "hop", BadAlphaHeader(alphaHeader));
    }

    internal static string UnknownScenario(string where, string value) =>
        $"{where} is '{value}', which is not a scenario; known scenarios are {string.Join(", ", Scenario.Named.Select(s => s.Name))}, or a number in [0, 1].";

    private static double? ParseAlpha(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a is >= 0 and <= 1 ? a : null;

    private static string BadAlphaHeader(string value) => $"Header {RoutingHeaders.Alpha} must be a number in [0, 1], got '{value}'.";
}

/// <summary>The chosen scenario and where it came from (for logs), or the reason none could be chosen.</summary>
public readonly record struct ScenarioSelection(Scenario? Scenario, string Source, string? Error);
