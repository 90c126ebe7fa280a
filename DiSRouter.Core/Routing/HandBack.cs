using System.Text.Json;
using System.Text.Json.Serialization;
using DiSRouter.Core.Requests;

namespace DiSRouter.Core.Routing;

/// <summary>
/// Under the auction rule (<see cref="RoutingHeaders.AuctionRule"/>): an agent's reply that names an earlier agent as the
/// auction's winner instead of answering. It goes back one hop at a time, before anything is committed, until it reaches
/// the agent it names, which answers. Sent as <see cref="StatusCode"/> with <see cref="MediaType"/>: distinct from every
/// answer (200, a stream of chunks) and every refusal (application/problem+json), so no one mistakes it for either.
/// A hand-back that reaches the gateway names no one there: the chain of agents is mis-set, and the client gets a 502.
/// </summary>
public sealed class HandBack
{
    public const int StatusCode = 409;
    public const string MediaType = "application/vnd.disrouter.handback+json";

    /// <summary>The agent of the best bid: the one that must answer.</summary>
    [JsonPropertyName("winner")] public string Winner { get; set; } = "";

    /// <summary>Why the query comes back: no agent further on could outbid the winner, or none could be reached.</summary>
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";

    /// <summary>The bids from the handing-back agent on (each agent the query reached, in cascade order), for the winner's metadata.</summary>
    [JsonPropertyName("bids")] public List<BidMetadata> Bids { get; set; } = [];

    /// <summary>The hops from the handing-back agent on, for the winner's routing path.</summary>
    [JsonPropertyName("path")] public List<Hop> Path { get; set; } = [];

    /// <summary>What the agents further on had to leave out (an unreachable successor), so that the winner's answer is marked.</summary>
    [JsonPropertyName("degraded")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Degraded { get; set; }

    /// <summary>The hand-back a reply body carries, or null when it is not JSON of this shape or names no winner.</summary>
    public static HandBack? TryRead(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<HandBack>(body, WireJson.Options) is { Winner.Length: > 0 } handBack ? handBack : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
