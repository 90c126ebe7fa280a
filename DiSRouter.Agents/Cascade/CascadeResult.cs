using DiSRouter.Core.Routing;

namespace DiSRouter.Agents.Cascade;

/// <summary>How a cascade request ended at this agent.</summary>
internal abstract record CascadeResult
{
    /// <summary>A chat completion with its routing metadata (answered here or further down the cascade).</summary>
    public sealed record Completed(ChatCompletionResponse Response) : CascadeResult;

    /// <summary>A successor refused the request (4xx, or 508 from the loop guard): its reply goes back unchanged.</summary>
    public sealed record PassedBack(int StatusCode, byte[] Body, string? ContentType) : CascadeResult;
}
