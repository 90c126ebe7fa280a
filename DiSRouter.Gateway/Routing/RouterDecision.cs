using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Routing;

/// <summary>
/// The gateway router's answer for one request (Self-Route or bids): its metadata, where to forward (null: no agent can
/// take it), why the answer is degraded (the chosen agent was down), and what routed, as the router's hop names it.
/// </summary>
internal sealed record RouterDecision(RouterMetadata Metadata, string? ForwardTo, string? Degraded, string RouterModel);
