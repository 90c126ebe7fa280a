using DiSRouter.Core.Requests;
using DiSRouter.Core.Scenarios;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Routing;

/// <summary>
/// The model names a client may ask for: routing aliases (<see cref="ModelAliases"/>), which pick a scenario and enter
/// the cascade at the entry agent (the plain ones under <see cref="GatewayOptions.Rule"/>), and the agents themselves, which enter the cascade at that agent (cheaper agents
/// are skipped).
/// </summary>
internal sealed class ModelCatalog(IOptionsMonitor<GatewayOptions> options)
{
    public IEnumerable<string> ModelIds => ModelAliases.All.Concat(ModelAliases.CascadeAll).Concat(ModelAliases.SelfRouteAll).Concat(ModelAliases.BidsAll).Concat(ModelAliases.AuctionAll).Select(a => a.Id).Concat(options.CurrentValue.Agents);

    /// <summary>A missing model means <see cref="ModelAliases.Default"/>; an unknown one is an error the client must see.</summary>
    public bool TryResolve(string? model, out ModelRoute route)
    {
        var o = options.CurrentValue;
        model = string.IsNullOrWhiteSpace(model) ? ModelAliases.Default : model.Trim();
        if (ModelAliases.CascadeScenarioOf(model) is { } cascaded)
        {
            route = new ModelRoute(o.EntryAgent, cascaded);
            return true;
        }
        if (ModelAliases.PlainScenarioOf(model) is { } scenario)
        {
            route = new ModelRoute(o.EntryAgent, scenario, Auction: o.Rule == RoutingRule.Auction);
            return true;
        }
        if (ModelAliases.SelfRouteScenarioOf(model) is { } selfRouted)
        {
            route = new ModelRoute(o.EntryAgent, selfRouted, SelfRoute: true);
            return true;
        }
        if (ModelAliases.BidsScenarioOf(model) is { } bid)
        {
            route = new ModelRoute(o.EntryAgent, bid, Bids: true);
            return true;
        }
        if (ModelAliases.AuctionScenarioOf(model) is { } auctioned)
        {
            route = new ModelRoute(o.EntryAgent, auctioned, Auction: true);
            return true;
        }
        foreach (var agent in o.Agents)
        {
            if (!string.Equals(agent, model, StringComparison.OrdinalIgnoreCase)) continue;
            route = new ModelRoute(agent, null);
            return true;
        }
        route = default;
        return false;
    }
}

/// <summary>
/// Where a request enters the cascade, and the scenario its model alias implies (null for an agent name); with
/// <paramref name="SelfRoute"/> the gateway's Self-Route router picks the agent instead, which answers; with
/// <paramref name="Bids"/> the agents' own bids do; with <paramref name="Auction"/> the request enters the cascade as usual
/// under the auction rule (<see cref="Core.Routing.RoutingHeaders.Rule"/>), and the agents hold the auction themselves.
/// </summary>
internal readonly record struct ModelRoute(string EntryAgent, Scenario? Scenario, bool SelfRoute = false, bool Bids = false, bool Auction = false);
