using DiSRouter.Core.Scenarios;

namespace DiSRouter.Core.Requests;

/// <summary>
/// The model names that choose a scenario rather than an agent ("disrouter-cost-first"); "disrouter" alone is
/// Balance. Matched without regard to case, as clients type them. The plain aliases (<see cref="All"/>) take the
/// gateway's default rule (Gateway:Rule, the agents' auction unless set); the others name their rule or mode.
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

    /// <summary>
    /// The threshold cascade by name, whatever the gateway's default rule: each agent answers when its own decision says
    /// it can (the method's rule), else passes the query on.
    /// </summary>
    public const string Cascade = "disrouter-cascade";

    /// <summary>The cascade aliases, with the scenario each implies ("disrouter-cascade" alone is Balance).</summary>
    public static IReadOnlyList<(string Id, Scenario Scenario)> CascadeAll { get; } = ModeAliases(Cascade);

    /// <summary>The scenario of a cascade alias, or null when the model is not one.</summary>
    public static Scenario? CascadeScenarioOf(string? model) => Find(CascadeAll, model);

    /// <summary>The gateway's central-router mode: Self-Route picks one agent, which answers (no cascade).</summary>
    public const string SelfRoute = "disrouter-self-route";

    /// <summary>
    /// The Self-Route aliases, with the scenario each implies ("disrouter-self-route" alone is Balance); α is chosen as for
    /// the cascade's aliases (a body "alpha" wins). Not in <see cref="All"/>: an agent called directly knows only its cascade.
    /// </summary>
    public static IReadOnlyList<(string Id, Scenario Scenario)> SelfRouteAll { get; } = ModeAliases(SelfRoute);

    /// <summary>The gateway's self-assessed bids mode: every agent bids its own P(right) and the one of highest p − α·c answers.</summary>
    public const string Bids = "disrouter-bids";

    /// <summary>The bids aliases, with the scenario each implies ("disrouter-bids" alone is Balance); α is chosen as for every alias.</summary>
    public static IReadOnlyList<(string Id, Scenario Scenario)> BidsAll { get; } = ModeAliases(Bids);

    /// <summary>
    /// The agents' own auction, run as a cascade rule (<see cref="Routing.RoutingHeaders.Rule"/>): the query enters the
    /// cheapest agent as in the cascade, each agent bids its own P(right) unless it cannot outbid the best bid so far, and
    /// the agent of highest p − α·c answers. No auctioneer: the gateway only names the rule.
    /// </summary>
    public const string Auction = "disrouter-auction";

    /// <summary>The auction aliases, with the scenario each implies ("disrouter-auction" alone is Balance); α is chosen as for every alias.</summary>
    public static IReadOnlyList<(string Id, Scenario Scenario)> AuctionAll { get; } = ModeAliases(Auction);

    // A mode's aliases: one per named scenario, and the mode's own name for Balance.
    private static (string Id, Scenario Scenario)[] ModeAliases(string mode) =>
    [
        (mode + "-performance-first", Scenario.PerformanceFirst),
        (mode + "-balance", Scenario.Balance),
        (mode + "-cost-first", Scenario.CostFirst),
        (mode, Scenario.Balance),
    ];

    /// <summary>The scenario of an auction alias, or null when the model is not one.</summary>
    public static Scenario? AuctionScenarioOf(string? model) => Find(AuctionAll, model);

    /// <summary>The scenario of a bids alias, or null when the model is not one.</summary>
    public static Scenario? BidsScenarioOf(string? model) => Find(BidsAll, model);

    /// <summary>The scenario of a Self-Route alias, or null when the model is not one.</summary>
    public static Scenario? SelfRouteScenarioOf(string? model) => Find(SelfRouteAll, model);

    /// <summary>The scenario of a plain alias (the gateway's default rule), or null: a cascade alias is not one.</summary>
    public static Scenario? PlainScenarioOf(string? model) => Find(All, model);

    /// <summary>The scenario of a plain alias or a cascade alias (an agent called directly runs its cascade under either), or null.</summary>
    public static Scenario? ScenarioOf(string? model) => Find(All, model) ?? Find(CascadeAll, model);

    private static Scenario? Find(IReadOnlyList<(string Id, Scenario Scenario)> aliases, string? model)
    {
        if (string.IsNullOrWhiteSpace(model)) return null;
        foreach (var (id, scenario) in aliases)
            if (string.Equals(id, model.Trim(), StringComparison.OrdinalIgnoreCase)) return scenario;
        return null;
    }
}
