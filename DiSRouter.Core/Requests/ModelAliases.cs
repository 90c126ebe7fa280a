using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Requests;

/// <summary>
/// The model names that choose a scenario rather than an agent ("disrouter-cost-first"); "disrouter" alone is
/// Balance. Matched without regard to case, as clients type them.
/// </summary>
public static class ModelAliases
{
    public const string Default = "disrouter";

    public static IReadOnlyList<(string Id, Scenario Scenario)> All { get; } =
    [
        ("disrouter-performance-first", Scenario.PerformanceFirst),
        ("disrouter-balance", Scenario.Balance),
        ("disrouter-cost-first", Scenario.CostFirst),
        (Default, Scenario.Balance),
    ];

    public static Scenario? ScenarioOf(string? model)
    {
        if (string.IsNullOrWhiteSpace(model)) return null;
        foreach (var (id, scenario) in All)
            if (string.Equals(id, model.Trim(), StringComparison.OrdinalIgnoreCase)) return scenario;
        return null;
    }
}
