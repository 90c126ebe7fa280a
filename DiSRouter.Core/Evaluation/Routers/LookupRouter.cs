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

    private LookupRouter(ProfileRegistry registry)
    {
        foreach (var c in registry.Cells)
            _cell[(c.Family, c.Difficulty ?? throw new InvalidDataException($"A registry cell of family '{c.Family}' has no difficulty."))] = c.Accuracy;
        foreach (var f in registry.Families) _family[f.Family] = f.Accuracy;
        _all = registry.All;
    }

    /// <summary>The measured profiles as a file keeps them (cells and families in a fixed order).</summary>
    public ProfileRegistry Export() => new(
        _cell.OrderBy(c => c.Key.Item1, StringComparer.Ordinal).ThenBy(c => c.Key.Item2, StringComparer.Ordinal).Select(c => new ProfileCell(c.Key.Item1, c.Key.Item2, c.Value)).ToList(),
        _family.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new ProfileCell(f.Key, null, f.Value)).ToList(),
        _all);

    /// <summary>A registry read back from <see cref="Export"/>'s shape: every profile must hold one accuracy per agent.</summary>
    public static LookupRouter FromRegistry(ProfileRegistry registry, int agents)
    {
        foreach (var p in registry.Cells.Concat(registry.Families).Select(c => c.Accuracy).Append(registry.All))
            if (p.Length != agents || p.Any(a => !(a >= 0 && a <= 1)))
                throw new InvalidDataException($"Every profile must hold {agents} accuracies in [0, 1]; one holds [{string.Join(", ", p)}].");
        return new LookupRouter(registry);
    }

    public double[] Predict(RoutedQuery query) => Profile(query.Family, query.Difficulty);

    /// <summary>The measured profile of a (family, difficulty) cell, or its fallback.</summary>
    public double[] Profile(string family, string difficulty) =>
        _cell.GetValueOrDefault((family, difficulty)) ?? _family.GetValueOrDefault(family) ?? _all;
}
