namespace DiSRouter.Core.Routing;

/// <summary>Headers of the hop protocol between Gateway and agents.</summary>
public static class RoutingHeaders
{
    /// <summary>How many agents the request has already passed; an agent refuses past <see cref="MaxHops"/> (loop guard).</summary>
    public const string HopCount = "X-DiSRouter-Hops";

    /// <summary>The preference factor α as a header, an alternative to the body field and the model alias.</summary>
    public const string Alpha = "X-DiSRouter-Alpha";

    /// <summary>A scenario name as a header ("balance").</summary>
    public const string Scenario = "X-DiSRouter-Scenario";

    public const int MaxHops = 16;
}
