namespace DiSRouter.Core.Evaluation;

/// <summary>
/// One agent's record on a fixed list of test items: whether it chose to answer each item and whether its answer
/// is correct. <see cref="Correct"/> is known for every item, also the rejected ones (the answer it gives when it is
/// made to answer), because the baselines and the self-assessment scores need it.
/// </summary>
/// <param name="Cost">The fixed normalised cost c_i charged when this agent answers.</param>
public sealed record AgentResults(string Name, double Cost, IReadOnlyList<bool> Answered, IReadOnlyList<bool> Correct)
{
    public int Count => Correct.Count;

    /// <summary>The same agent on a subset of the items (one family, one domain), in the given order.</summary>
    public AgentResults Subset(IReadOnlyList<int> items) =>
        this with { Answered = items.Select(i => Answered[i]).ToList(), Correct = items.Select(i => Correct[i]).ToList() };
}
