namespace DiSRouter.Core.Evaluation;

/// <summary>
/// What one routing policy achieves on a test set: mean accuracy, mean cost (the answering agent's cost),
/// Utility = Accuracy − α·Cost, and where the items went.
/// </summary>
/// <param name="Method">"disrouter", "oracle", "smallest", "largest", "random", or a caller's name.</param>
/// <param name="Agents">Agent names in cascade order.</param>
/// <param name="RoutedCounts">Items answered by each agent, in cascade order.</param>
/// <param name="RoutedTo">Per item, the index of the agent that answered it.</param>
public sealed record RoutingOutcome(
    string Method,
    double Alpha,
    int Items,
    double Accuracy,
    double Cost,
    double Utility,
    IReadOnlyList<string> Agents,
    IReadOnlyList<int> RoutedCounts,
    IReadOnlyList<int> RoutedTo)
{
    /// <summary>The routing distribution: the fraction of items each agent answered.</summary>
    public IReadOnlyList<double> RoutingShare => RoutedCounts.Select(c => Items == 0 ? 0 : (double)c / Items).ToList();
}
