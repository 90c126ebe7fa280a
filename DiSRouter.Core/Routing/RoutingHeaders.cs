namespace DiSRouter.Core.Routing;

/// <summary>Headers of the hop protocol between gateway and agents.</summary>
public static class RoutingHeaders
{
    /// <summary>
    /// How many agents the request has already passed (0 from the gateway); an agent refuses past <see cref="MaxHops"/>
    /// (loop guard). Its presence marks a request from inside the network, whose α was chosen upstream.
    /// </summary>
    public const string HopCount = "X-DiSRouter-Hops";

    /// <summary>
    /// The preference factor α. From a client: one way to choose it. Inside the network: the α the entry chose, which
    /// every hop uses as it is.
    /// </summary>
    public const string Alpha = "X-DiSRouter-Alpha";

    /// <summary>A scenario name ("balance"): from a client, one way to choose α; inside the network, its name for logs.</summary>
    public const string Scenario = "X-DiSRouter-Scenario";

    /// <summary>On a whole (not streamed) response: the agent that answered, so the gateway can count it without reading the body.</summary>
    public const string AnsweredBy = "X-DiSRouter-Answered-By";

    /// <summary>
    /// On a response, streamed or whole, sent before its body: why the answer is degraded (see
    /// <see cref="RoutingMetadata.Degraded"/>). Absent when the cascade answered as designed.
    /// </summary>
    public const string Degraded = "X-DiSRouter-Degraded";

    /// <summary>
    /// Between agents: how long (milliseconds, from when it was sent) the caller waits for this agent to commit before
    /// it skips it. The agent gives its own successors a share of what is left, so that when one of them hangs, this
    /// agent gives up on it first and can still try the next or answer itself within the caller's wait, instead of
    /// both timing out at once and the caller skipping a healthy agent.
    /// </summary>
    public const string CommitBudget = "X-DiSRouter-Commit-Budget-Ms";

    /// <summary>
    /// From the gateway only: a central router (the value names it, "self-route") chose this agent, which must answer
    /// without deciding, as the last agent does. An agent honours it on a request at hop 0 (what the gateway sends) and
    /// refuses it elsewhere; the gateway drops a client's own copy and sets it only in that mode, and a rejecting agent
    /// never passes it on, so no client can make an agent skip its decision through the network.
    /// </summary>
    public const string RoutedBy = "X-DiSRouter-Routed-By";

    /// <summary>
    /// The cascade rule the request travels under: absent is the threshold cascade (each agent answers when its own
    /// decision says so); "auction" (<see cref="AuctionRule"/>) is the auction the agents hold among themselves, cheapest
    /// first. Set by the gateway for the <c>disrouter-auction</c> aliases and, under its default rule (Gateway:Rule), the
    /// plain ones (a client's own copy is dropped), and passed on by every agent; an agent refuses a rule it does not know.
    /// </summary>
    public const string Rule = "X-DiSRouter-Rule";

    /// <summary>The value of <see cref="Rule"/> for the agents' own auction.</summary>
    public const string AuctionRule = "auction";

    /// <summary>
    /// Under the auction rule, between agents: the best bid so far, "agent=agent-1; p_right=0.634; cost=0.1" (absent
    /// at the first agent, and while no agent has bid). An agent that cannot outbid it hands the query back at once.
    /// </summary>
    public const string BestBid = "X-DiSRouter-Best-Bid";

    public const int MaxHops = 16;
}
