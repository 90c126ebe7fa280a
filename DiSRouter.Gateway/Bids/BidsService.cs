using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Evaluation.Routers;
using DiSRouter.Core.Routing;
using DiSRouter.Gateway.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace DiSRouter.Gateway.Bids;

/// <summary>
/// The gateway's bids mode: every agent is asked at once for its bid on the query (its POST /v1/assess: its own
/// probability that its answer is right, read off its prompt pass through the scale it was fitted on its own answers),
/// and the agent of highest p − α·c answers (<see cref="UtilityChoice"/>), told to answer without deciding. Nothing is
/// learnt across agents: an agent brings its bid scale with it, so any set of agents holds an auction. An agent that
/// fails, is down, is too slow or has no bid scale is left out and listed with the reason.
/// </summary>
internal sealed class BidsService(IOptionsMonitor<GatewayOptions> options, IHttpClientFactory httpClients, IProxyStateLookup proxy)
{
    public const string Mode = "bids";
    public const string HttpClientName = "bids-assess";
    public const string AssessPath = "/v1/assess";
    public const string RouterModel = "self-assessed bids (each agent's prompt pass)";
    private const string Name = "The bids mode";

    /// <summary>Asks every agent for its bid on the request (its body as the client sent it), concurrently.</summary>
    public async Task<BidsAuction> AuctionAsync(byte[] body, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var clock = Stopwatch.GetTimestamp();
        var bids = await Task.WhenAll(o.Agents.Select(agent => BidAsync(agent, body, o, ct)));
        return new BidsAuction(bids, Stopwatch.GetElapsedTime(clock));
    }

    private async Task<AgentBid> BidAsync(string agent, byte[] body, GatewayOptions o, CancellationToken ct)
    {
        if (!Available(agent)) return AgentBid.Out(agent, "not asked: no available replica (its health probe failed)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.Bids.TimeoutSeconds));
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync($"http://{agent}{AssessPath}", content, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return AgentBid.Out(agent, $"POST {AssessPath} answered {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(timeout.Token))}");
            var assessment = await response.Content.ReadFromJsonAsync<Assessment>(timeout.Token);
            if (assessment is null) return AgentBid.Out(agent, $"POST {AssessPath} answered an empty body");
            if (assessment.PRight is not { } p || !(p >= 0 && p <= 1) || !double.IsFinite(assessment.Cost))
                return AgentBid.Out(agent, assessment.NoBid ?? $"POST {AssessPath} gave no p_right in [0, 1]");
            return new AgentBid(agent, assessment.Model, p, assessment.Cost, assessment.LogitGap, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AgentBid.Out(agent, $"no bid within {o.Bids.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Gateway:Bids:TimeoutSeconds)");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever went wrong (refused connection, open circuit, a body that is not an assessment), the auction goes on without it.
            return AgentBid.Out(agent, $"POST {AssessPath} failed: {e.Message}");
        }
    }

    /// <summary>
    /// The auction's route at <paramref name="alpha"/>: the bid of highest p − α·c is chosen; the request goes to it, or
    /// where it is down (no available replica, or <paramref name="failed"/>: its forward failed) to the next best bid,
    /// marked degraded. No bid at all: nowhere to forward (the caller refuses with the reasons).
    /// </summary>
    public static RouterDecision Route(BidsAuction auction, double alpha, Func<string, bool> available, IReadOnlySet<string>? failed = null)
    {
        var bidders = auction.Bids.Where(b => b.PRight is not null).ToList();
        var metadata = new RouterMetadata
        {
            Mode = Mode,
            Bids = auction.Bids.Select(b => new BidMetadata
            {
                Agent = b.Agent,
                PRight = b.PRight is { } p ? Math.Round(p, 6) : null,
                Cost = b.Cost,
                Utility = b.PRight is { } q ? Math.Round(q - alpha * b.Cost!.Value, 6) : null,
                LogitGap = b.LogitGap,
                Absent = b.Absent,
            }).ToList(),
            RouterMs = Math.Round(auction.Elapsed.TotalMilliseconds, 3),
        };
        if (bidders.Count == 0)
            return new RouterDecision(metadata, null, null, RouterModel, Name,
                "No agent bid on this query, so the bids mode has no one to send it to: " + string.Join("; ", auction.Bids.Select(b => $"{b.Agent}: {b.Absent}")));

        var best = bidders[UtilityChoice.Pick(bidders.Select(b => b.PRight!.Value).ToArray(), bidders.Select(b => b.Cost!.Value).ToArray(), alpha)];
        var order = bidders.Where(b => b != best).OrderByDescending(b => b.PRight!.Value - alpha * b.Cost!.Value).ThenBy(b => b.Cost).Prepend(best);
        var forwardTo = order.FirstOrDefault(b => failed?.Contains(b.Agent) != true && available(b.Agent));
        metadata.Chosen = best.Agent;
        metadata.ChosenModel = best.Model ?? "";
        metadata.ExpectedAccuracy = Math.Round(best.PRight!.Value, 4);
        metadata.ForwardedTo = forwardTo?.Agent ?? "";
        string? degraded = forwardTo is null || forwardTo == best ? null
            : $"skipped {best.Agent} (the highest bid: {(failed?.Contains(best.Agent) == true ? "could not be reached" : "no available replica")}); {forwardTo.Agent} answered (the next best bid)";
        return new RouterDecision(metadata, forwardTo?.Agent, degraded, RouterModel, Name,
            forwardTo is null ? $"The bids chose {best.Agent}, and no agent that bid has an available replica" : null);
    }

    /// <summary>Whether YARP would send to one of the agent's replicas (healthy or not yet probed).</summary>
    public bool Available(string agent) =>
        proxy.TryGetCluster(agent, out var cluster) &&
        cluster.Destinations.Values.Any(d => d.Health.Active != DestinationHealth.Unhealthy && d.Health.Passive != DestinationHealth.Unhealthy);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>An agent's POST /v1/assess answer, as far as the auction reads it.</summary>
    private sealed record Assessment(
        [property: JsonPropertyName("model")] string? Model,
        [property: JsonPropertyName("cost")] double Cost,
        [property: JsonPropertyName("logit_gap")] double? LogitGap,
        [property: JsonPropertyName("p_right")] double? PRight,
        [property: JsonPropertyName("no_bid")] string? NoBid);
}

/// <summary>One agent's part in an auction: its bid (p_right, cost) or why it has none.</summary>
internal sealed record AgentBid(string Agent, string? Model, double? PRight, double? Cost, double? LogitGap, string? Absent)
{
    public static AgentBid Out(string agent, string why) => new(agent, null, null, null, null, why);
}

/// <summary>Every agent's bid on one request and how long the auction took (the agents' prompt passes, side by side).</summary>
internal sealed record BidsAuction(IReadOnlyList<AgentBid> Bids, TimeSpan Elapsed);
