using System.Globalization;

namespace DiSRouter.Core.Scenarios;

/// <summary>
/// A user's preference between accuracy and cost: the preference factor α ∈ [0, 1] of
/// Utility = Accuracy − α·Cost. The three named scenarios are α = 0.2, 0.5 and 0.8; any α in between is allowed.
/// </summary>
public sealed record Scenario
{
    public static readonly Scenario PerformanceFirst = new("performance-first", 0.2);
    public static readonly Scenario Balance = new("balance", 0.5);
    public static readonly Scenario CostFirst = new("cost-first", 0.8);

    /// <summary>The three scenarios the agents are trained on, in order of rising α.</summary>
    public static IReadOnlyList<Scenario> Named { get; } = [PerformanceFirst, Balance, CostFirst];

    public Scenario(string name, double alpha)
    {
        if (double.IsNaN(alpha) || alpha < 0 || alpha > 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The preference factor α must lie in [0, 1].");
        Name = name;
        Alpha = alpha;
    }

    /// <summary>Kebab-case name: "performance-first", "balance", "cost-first", or "alpha-0.35" for a custom α.</summary>
    public string Name { get; }

    /// <summary>The preference factor α: 0 cares only for accuracy, 1 weighs cost fully.</summary>
    public double Alpha { get; }

    /// <summary>The rejection threshold δ = 1 − α used to label self-awareness SFT data.</summary>
    public double RejectionThreshold => 1 - Alpha;

    /// <summary>The named scenario with exactly this α, or a custom one named after it.</summary>
    public static Scenario FromAlpha(double alpha)
    {
        foreach (var s in Named)
            if (Math.Abs(s.Alpha - alpha) < 1e-9) return s;
        return new Scenario("alpha-" + alpha.ToString("0.###", CultureInfo.InvariantCulture), alpha);
    }

    /// <summary>Parses a scenario name ("balance", "performance_first", "Cost First") or a number in [0, 1].</summary>
    public static bool TryParse(string? text, out Scenario scenario)
    {
        scenario = Balance;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var key = text.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
        foreach (var s in Named)
            if (s.Name == key) { scenario = s; return true; }
        if (key.StartsWith("alpha-", StringComparison.Ordinal)) key = key["alpha-".Length..];
        if (double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a is >= 0 and <= 1)
        {
            scenario = FromAlpha(a);
            return true;
        }
        return false;
    }

    public override string ToString() => $"{Name} (α={Alpha.ToString("0.###", CultureInfo.InvariantCulture)})";
}
