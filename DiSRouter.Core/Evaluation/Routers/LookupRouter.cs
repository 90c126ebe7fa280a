namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// The ceiling of a router that is told the task's structure: each agent's accuracy on the training queries of the
/// same family and difficulty (Laplace-smoothed), falling back to the family, then to all queries, where a cell is
/// empty. Also Self-Route's registry of measured performance profiles (<see cref="SelfRouteRouter"/>).
/// </summary>
public sealed class LookupRouter : ICorrectnessModel
{
    private readonly Dictionary<(string, string), double[]> _cell = [];
    private readonly Dictionary<string, double[]> _family = [];
    private readonly double[] _all;

    public LookupRouter(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct)
    {
        double[] Rate(IEnumerable<int> items)
        {
            var list = items.ToList();
            return correct.Select(c => (list.Count(i => c[i]) + 1.0) / (list.Count + 2.0)).ToArray();
        }
        var index = Enumerable.Range(0, queries.Count).ToList();
        foreach (var g in index.GroupBy(i => (queries[i].Family, queries[i].Difficulty))) _cell[g.Key] = Rate(g);
        foreach (var g in index.GroupBy(i => queries[i].Family)) _family[g.Key] = Rate(g);
        _all = Rate(index);
    }

    public double[] Predict(RoutedQuery query) => Profile(query.Family, query.Difficulty);

    /// <summary>The measured profile of a (family, difficulty) cell, or its fallback.</summary>
    public double[] Profile(string family, string difficulty) =>
        _cell.GetValueOrDefault((family, difficulty)) ?? _family.GetValueOrDefault(family) ?? _all;
}
