using DiSRouter.Core.Scenarios;
using DiSRouter.Core.Tasks;

namespace DiSRouter.Core.Evaluation;

/// <summary>Which agent the Oracle charges for an item that no agent answers correctly.</summary>
public enum OracleFallback
{
    /// <summary>The largest (last) agent, as if the item were escalated to the end and still failed. The default.</summary>
    Largest,

    /// <summary>The smallest (first) agent: the true utility optimum, since every choice is wrong anyway.</summary>
    Smallest,
}

/// <summary>
/// The arithmetic of the reports, no models involved. Agents are given in cascade order (non-decreasing cost).
/// <list type="bullet">
/// <item>DiSRouter: the first agent that answers takes the item; the last agent always answers (its own decision
/// is ignored and its correctness stands).</item>
/// <item>Smallest / Largest: every item to the first / last agent.</item>
/// <item>Random: every item to an agent drawn uniformly by a seeded <see cref="StableRandom"/>.</item>
/// <item>Oracle: the cheapest agent whose answer is correct; when none is, <see cref="OracleFallback"/> decides
/// (the largest agent by default).</item>
/// </list>
/// </summary>
public static class CascadeEvaluation
{
    public const string DiSRouterMethod = "disrouter";
    public const string OracleMethod = "oracle";
    public const string SmallestMethod = "smallest";
    public const string LargestMethod = "largest";
    public const string RandomMethod = "random";

    public static RoutingOutcome Cascade(IReadOnlyList<AgentResults> agents, double alpha)
    {
        var n = Validate(agents, alpha);
        var routed = new int[n];
        for (var i = 0; i < n; i++)
        {
            var k = 0;
            while (k < agents.Count - 1 && !agents[k].Answered[i]) k++;
            routed[i] = k;
        }
        return Route(DiSRouterMethod, agents, alpha, routed);
    }

    public static RoutingOutcome Smallest(IReadOnlyList<AgentResults> agents, double alpha)
    {
        var n = Validate(agents, alpha);
        return Route(SmallestMethod, agents, alpha, new int[n]);
    }

    public static RoutingOutcome Largest(IReadOnlyList<AgentResults> agents, double alpha)
    {
        var n = Validate(agents, alpha);
        return Route(LargestMethod, agents, alpha, Enumerable.Repeat(agents.Count - 1, n).ToArray());
    }

    public static RoutingOutcome Random(IReadOnlyList<AgentResults> agents, double alpha, ulong seed = 0)
    {
        var n = Validate(agents, alpha);
        var rng = new StableRandom(seed);
        var routed = new int[n];
        for (var i = 0; i < n; i++) routed[i] = rng.Next(agents.Count);
        return Route(RandomMethod, agents, alpha, routed);
    }

    public static RoutingOutcome Oracle(IReadOnlyList<AgentResults> agents, double alpha, OracleFallback fallback = OracleFallback.Largest)
    {
        var n = Validate(agents, alpha);
        var routed = new int[n];
        for (var i = 0; i < n; i++)
        {
            var k = 0;
            while (k < agents.Count && !agents[k].Correct[i]) k++;
            routed[i] = k < agents.Count ? k : fallback == OracleFallback.Largest ? agents.Count - 1 : 0;
        }
        return Route(OracleMethod, agents, alpha, routed);
    }

    /// <summary>DiSRouter and every baseline on the same items: disrouter, oracle, smallest, largest, random.</summary>
    public static IReadOnlyList<RoutingOutcome> WithBaselines(IReadOnlyList<AgentResults> agents, double alpha, ulong randomSeed = 0) =>
    [
        Cascade(agents, alpha),
        Oracle(agents, alpha),
        Smallest(agents, alpha),
        Largest(agents, alpha),
        Random(agents, alpha, randomSeed),
    ];

    /// <summary>Scores a given assignment of items to agents (any policy, e.g. a learned router).</summary>
    public static RoutingOutcome Route(string method, IReadOnlyList<AgentResults> agents, double alpha, IReadOnlyList<int> routedTo)
    {
        var n = Validate(agents, alpha);
        if (routedTo.Count != n) throw new ArgumentException($"{routedTo.Count} assignments for {n} items.", nameof(routedTo));
        var counts = new int[agents.Count];
        var correct = 0;
        var cost = 0.0;
        for (var i = 0; i < n; i++)
        {
            var k = routedTo[i];
            if (k < 0 || k >= agents.Count) throw new ArgumentOutOfRangeException(nameof(routedTo), k, $"Item {i} is routed to no agent.");
            counts[k]++;
            if (agents[k].Correct[i]) correct++;
            cost += agents[k].Cost;
        }
        var accuracy = (double)correct / n;
        var meanCost = cost / n;
        return new RoutingOutcome(method, alpha, n, accuracy, meanCost, Utility.Of(accuracy, meanCost, alpha),
            agents.Select(a => a.Name).ToList(), counts, routedTo.ToArray());
    }

    private static int Validate(IReadOnlyList<AgentResults> agents, double alpha)
    {
        if (agents.Count == 0) throw new ArgumentException("At least one agent is needed.", nameof(agents));
        if (double.IsNaN(alpha) || alpha < 0 || alpha > 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The preference factor α must lie in [0, 1].");
        var n = agents[0].Count;
        if (n == 0) throw new ArgumentException("There are no items to evaluate.", nameof(agents));
        for (var k = 0; k < agents.Count; k++)
        {
            var a = agents[k];
            if (a.Answered.Count != a.Correct.Count || a.Count != n)
                throw new ArgumentException($"Agent '{a.Name}' has {a.Answered.Count} decisions and {a.Correct.Count} grades; every agent needs {n} of each.", nameof(agents));
            if (double.IsNaN(a.Cost) || a.Cost < 0) throw new ArgumentException($"Agent '{a.Name}' has an invalid cost {a.Cost}.", nameof(agents));
            if (k > 0 && a.Cost < agents[k - 1].Cost)
                throw new ArgumentException($"Agents must be in cascade order (non-decreasing cost): '{a.Name}' ({a.Cost}) follows '{agents[k - 1].Name}' ({agents[k - 1].Cost}).", nameof(agents));
        }
        return n;
    }
}
