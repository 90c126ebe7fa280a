namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// A central router's model: for a query, each agent's predicted probability of answering it correctly (agents in
/// cascade order). <see cref="UtilityChoice"/> turns the predictions into a route at a given α.
/// </summary>
public interface ICorrectnessModel
{
    double[] Predict(RoutedQuery query);
}

/// <summary>Routes to the agent of highest predicted utility p_k − α·c_k; a tie goes to the cheaper agent.</summary>
public static class UtilityChoice
{
    public static int Pick(IReadOnlyList<double> predicted, IReadOnlyList<double> costs, double alpha)
    {
        if (predicted.Count != costs.Count) throw new ArgumentException($"{predicted.Count} predictions for {costs.Count} agents.", nameof(predicted));
        int best = 0;
        for (int k = 1; k < predicted.Count; k++)
            if (predicted[k] - alpha * costs[k] > predicted[best] - alpha * costs[best] + 1e-12) best = k;
        return best;
    }
}
