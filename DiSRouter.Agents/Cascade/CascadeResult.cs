using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>How a cascade request ended at this agent.</summary>
internal abstract record CascadeResult
{
    /// <summary>
    /// Committed: this agent or one further down answers. The chunks follow as they are generated; the last one carries
    /// the routing metadata, or an error when the answer failed after the commit point.
    /// </summary>
    /// <param name="Degraded">Why the answer is degraded, known at the commit point (before the first chunk), or null.</param>
    public sealed record Answering(IAsyncEnumerable<ChatCompletionChunk> Chunks, string? Degraded = null) : CascadeResult;

    /// <summary>A successor refused the request (4xx, or 508 from the loop guard): its reply goes back unchanged.</summary>
    public sealed record PassedBack(int StatusCode, byte[] Body, string? ContentType) : CascadeResult;

    /// <summary>Under the auction rule: an earlier agent won; this agent hands the query back to it, committing nothing.</summary>
    public sealed record HandingBack(HandBack HandBack) : CascadeResult;
}
