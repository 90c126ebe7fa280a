using DiSRouter.Agents.Tests.Support;
using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Tests.Apis;

/// <summary>
/// Agents bidder-1..n over loopback in cost order, each successor of the one before, each bidding a fixed P(right) (null:
/// no bid scale) and answering "bidder-k answered". <paramref name="deadAfterLast"/> gives the last agent a successor
/// nothing listens at. Requests go in as the gateway sends an auction alias's: hop 0, the α, the auction rule.
/// </summary>
internal sealed class AuctionChain : IAsyncDisposable
{
    private AuctionChain(List<AgentHost> hosts, List<BiddingBackend> models)
    {
        Hosts = hosts;
        Models = models;
    }

    public List<AgentHost> Hosts { get; }
    public List<BiddingBackend> Models { get; }

    public static string Answer(int k) => $" bidder-{k} answered. The final answer is: {k}.";

    public static AuctionChain Start(IReadOnlyList<(double Cost, double? PRight)> agents, bool deadAfterLast = false)
    {
        var hosts = new List<AgentHost>();
        var models = new List<BiddingBackend>();
        AgentHost? next = null;
        for (var k = agents.Count; k >= 1; k--)
        {
            var model = new BiddingBackend(ScriptedBackend.Answering($"nano-{k}", Answer(k)), agents[k - 1].PRight);
            var successors = next is not null ? [$"bidder-{k + 1}"] : deadAfterLast ? new[] { $"bidder-{k + 1}" } : [];
            var discovery = next is not null ? CascadeNetwork.Discovery(($"bidder-{k + 1}", next))
                : deadAfterLast ? [new($"services:bidder-{k + 1}:http:0", Http.DeadUrl())] : [];
            next = AgentHost.Start(AgentHost.Settings($"bidder-{k}", agents[k - 1].Cost, successors, discovery), model);
            hosts.Insert(0, next);
            models.Insert(0, model);
        }
        return new AuctionChain(hosts, models);
    }

    public Task<Reply> AskAsync(double alpha, string query = "what is 6 x 7?", string extraFields = "") =>
        Hosts[0].Client.PostJsonAsync("/v1/chat/completions", Http.Chat(query, extraFields),
            (RoutingHeaders.HopCount, "0"), (RoutingHeaders.Alpha, alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            (RoutingHeaders.Rule, RoutingHeaders.AuctionRule));

    /// <summary>The answers each agent's model generated (bids are prompt passes, not generations).</summary>
    public int Answers(int k) => Models[k - 1].Model.Calls.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Hosts) await host.DisposeAsync();
    }
}
