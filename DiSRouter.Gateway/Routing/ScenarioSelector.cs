using System.Globalization;
using DiSRouter.Core.Routing;
using DiSRouter.Core.Scenarios;

namespace DiSRouter.Gateway.Routing;

/// <summary>
/// Picks the scenario (the preference factor α) of a request. Precedence, most specific first:
/// body "alpha" → body "scenario" → header X-DiSRouter-Alpha → header X-DiSRouter-Scenario → the model alias →
/// Balance. The body is per request while headers are often set once per client, hence body before header; the
/// model alias is the coarsest choice. A value that is given but invalid is an error, never silently skipped.
/// </summary>
internal static class ScenarioSelector
{
    public static SelectionResult Select(ChatCompletionRequest request, IHeaderDictionary headers, Scenario? fromModel)
    {
        if (request.Alpha is { } alpha)
            return double.IsFinite(alpha) && alpha is >= 0 and <= 1
                ? new(Scenario.FromAlpha(alpha), "body alpha", null)
                : new(null, "body alpha", $"'alpha' must lie in [0, 1], got {alpha.ToString(CultureInfo.InvariantCulture)}.");

        if (request.Scenario is { } name)
            return Scenario.TryParse(name, out var s)
                ? new(s, "body scenario", null)
                : new(null, "body scenario", UnknownScenario("'scenario'", name));

        if (headers[RoutingHeaders.Alpha] is { Count: > 0 } alphaHeader)
            return double.TryParse(alphaHeader.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                   && double.IsFinite(a) && a is >= 0 and <= 1
                ? new(Scenario.FromAlpha(a), "header alpha", null)
                : new(null, "header alpha", $"Header {RoutingHeaders.Alpha} must be a number in [0, 1], got '{alphaHeader}'.");

        if (headers[RoutingHeaders.Scenario] is { Count: > 0 } scenarioHeader)
            return Scenario.TryParse(scenarioHeader.ToString(), out var s)
                ? new(s, "header scenario", null)
                : new(null, "header scenario", UnknownScenario($"Header {RoutingHeaders.Scenario}", scenarioHeader.ToString()));

        return fromModel is not null ? new(fromModel, "model alias", null) : new(Scenario.Balance, "default", null);
    }

    private static string UnknownScenario(string where, string value) =>
        $"{where} is '{value}'; known scenarios are {string.Join(", ", Scenario.Named.Select(s => s.Name))}, or a number in [0, 1].";
}

internal readonly record struct SelectionResult(Scenario? Scenario, string Source, string? Error);
