using DiSRouter.Core.Routing;

namespace DiSRouter.Gateway.Routing;

/// <summary>
/// The gateway router's answer for one request (Self-Route or bids): its metadata, where to forward (null: no agent can
/// take it, and <see cref="Unforwardable"/> says why in the router's words), why the answer is degraded (the chosen agent
/// was down), what routed, as the router's hop names it, and the router's name at the start of a refusal's sentence.
/// </summary>
internal sealed record RouterDecision(RouterMetadata Metadata, string? ForwardTo, string? Degraded, string RouterModel, string Name, string? Unforwardable = null);
