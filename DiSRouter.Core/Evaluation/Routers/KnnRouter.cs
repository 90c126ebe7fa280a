namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// k-nearest-neighbour router: a query's predicted correctness for each agent is the share of its k most similar
/// training queries (cosine of their n-gram vectors) that the agent answered right. k is chosen by leave-one-out log
/// loss on the training queries (<see cref="Fit"/>).
/// </summary>
public sealed class KnnRouter : ICorrectnessModel
{
    private readonly NGramFeatures _features;
    private readonly SparseVector[] _x;
    private readonly IReadOnlyList<IReadOnlyList<bool>> _correct;

    private KnnRouter(NGramFeatures features, SparseVector[] x, IReadOnlyList<IReadOnlyList<bool>> correct, int k)
    {
        _features = features;
        _x = x;
        _correct = correct;
        K = k;
    }

    public int K { get; }

    public static readonly int[] KGrid = [5, 10, 20, 40];

    public static KnnRouter Fit(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, NGramFeatures features, int? k = null)
    {
        var x = queries.Select(q => features.Of(q.Text)).ToArray();
        if (k is { } fixedK) return new KnnRouter(features, x, correct, fixedK);
        // Leave-one-out: each training query's neighbours among the others, once; then every k of the grid read off them.
        var neighbours = Enumerable.Range(0, x.Length).Select(i => Nearest(x, x[i], KGrid.Max(), exclude: i)).ToArray();
        double best = double.PositiveInfinity;
        int bestK = KGrid[0];
        foreach (var kk in KGrid)
        {
            double loss = 0;
            for (int i = 0; i < x.Length; i++)
                for (int a = 0; a < correct.Count; a++)
                {
                    double p = Smoothed(neighbours[i].Take(kk), correct[a]);
                    loss -= correct[a][i] ? Math.Log(p) : Math.Log(1 - p);
                }
            if (loss < best) { best = loss; bestK = kk; }
        }
        return new KnnRouter(features, x, correct, bestK);
    }

    public double[] Predict(RoutedQuery query)
    {
        var near = Nearest(_x, _features.Of(query.Text), K, exclude: -1);
        return _correct.Select(c => Smoothed(near, c)).ToArray();
    }

    // The share right among the neighbours, pulled a little toward ½ (one pseudo-count each way) so that no prediction is 0 or 1.
    private static double Smoothed(IEnumerable<int> near, IReadOnlyList<bool> correct)
    {
        int n = 0, right = 0;
        foreach (var j in near) { n++; if (correct[j]) right++; }
        return (right + 1.0) / (n + 2.0);
    }

    // Most similar first; equal similarities in index order (deterministic).
    private static int[] Nearest(SparseVector[] x, SparseVector q, int k, int exclude) =>
        Enumerable.Range(0, x.Length).Where(j => j != exclude).Select(j => (j, s: q.Dot(x[j])))
            .OrderByDescending(t => t.s).ThenBy(t => t.j).Take(k).Select(t => t.j).ToArray();
}
