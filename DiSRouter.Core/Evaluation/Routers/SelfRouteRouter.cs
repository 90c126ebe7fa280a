namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// Self-Route's policy in the nano world: a primary reads the query and states its domain (task family) and difficulty,
/// then picks the agent of highest expected utility from a registry of measured performance profiles (each agent's
/// accuracy per family and difficulty on validation). The nano models cannot follow an instruction to classify, so the
/// primary's statement comes from two heads trained on the labelled validation queries (<see cref="SoftmaxClassifier"/>);
/// serving would run them on the smallest agent's prompt pass, whose time the report charges to every query.
/// </summary>
public sealed class SelfRouteRouter : ICorrectnessModel
{
    private readonly SoftmaxClassifier _family, _difficulty;
    private readonly LookupRouter _registry;

    public SelfRouteRouter(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, NGramFeatures features, int seed = 0)
    {
        var texts = queries.Select(q => q.Text).ToList();
        _family = SoftmaxClassifier.Fit(texts, queries.Select(q => q.Family).ToList(), features, seed: seed);
        _difficulty = SoftmaxClassifier.Fit(texts, queries.Select(q => q.Difficulty).ToList(), features, seed: seed + 1);
        _registry = new LookupRouter(queries, correct);
    }

    /// <summary>What the primary states about a query: its domain and difficulty.</summary>
    public (string Family, string Difficulty) State(string text) => (_family.Predict(text), _difficulty.Predict(text));

    public double[] Predict(RoutedQuery query)
    {
        var (family, difficulty) = State(query.Text);
        return _registry.Profile(family, difficulty);
    }
}
