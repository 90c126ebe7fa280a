namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// RouteLLM's matrix-factorisation router, with each agent's correctness as the label: the query's n-gram vector is
/// projected to a d-dimensional embedding e = P·x, every agent has an embedding v_k and a bias b_k, and
/// P(agent k right) = σ(v_k · e + b_k). P, v and b are learned jointly by SGD on the log loss with L2 on v and P.
/// RouteLLM learns from pairwise preferences between a strong and a weak model; with graded answers for every agent
/// the per-agent label is the direct form of the same bilinear score.
/// </summary>
public sealed class MatrixFactorizationRouter : ICorrectnessModel
{
    private readonly NGramFeatures _features;
    private readonly double[][] _projection; // [d][feature]
    private readonly double[][] _agents;     // [agent][d]
    private readonly double[] _bias;

    private MatrixFactorizationRouter(NGramFeatures features, double[][] projection, double[][] agents, double[] bias)
    {
        _features = features;
        _projection = projection;
        _agents = agents;
        _bias = bias;
    }

    public static MatrixFactorizationRouter Fit(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, NGramFeatures features,
        int dimensions = 16, int epochs = 30, double l2 = 1e-4, int seed = 0)
    {
        var x = queries.Select(q => features.Of(q.Text)).ToArray();
        var rng = new Tasks.StableRandom((ulong)seed + 211);
        double Init(double scale) => (rng.NextDouble() * 2 - 1) * scale;
        var p = Enumerable.Range(0, dimensions).Select(_ => Enumerable.Range(0, features.Dimensions).Select(_ => Init(0.1)).ToArray()).ToArray();
        var v = correct.Select(_ => Enumerable.Range(0, dimensions).Select(_ => Init(0.1)).ToArray()).ToArray();
        var b = correct.Select(c => Logit((c.Count(r => r) + 1.0) / (c.Count + 2.0))).ToArray();
        var pairs = Enumerable.Range(0, x.Length).SelectMany(i => Enumerable.Range(0, correct.Count).Select(k => (i, k))).ToArray();
        var e = new double[dimensions];
        int t = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(pairs);
            foreach (var (i, k) in pairs)
            {
                double lr = 0.2 / (1 + 0.001 * t++);
                for (int d = 0; d < dimensions; d++) e[d] = x[i].Dot(p[d]);
                double z = b[k];
                for (int d = 0; d < dimensions; d++) z += v[k][d] * e[d];
                double g = LogisticRouter.Sigmoid(z) - (correct[k][i] ? 1 : 0);
                for (int d = 0; d < dimensions; d++)
                {
                    double vd = v[k][d];
                    v[k][d] -= lr * (g * e[d] + l2 * vd);
                    x[i].AddTo(p[d], -lr * g * vd);
                }
                b[k] -= lr * g;
            }
        }
        return new MatrixFactorizationRouter(features, p, v, b);
    }

    public double[] Predict(RoutedQuery query)
    {
        var x = _features.Of(query.Text);
        var e = _projection.Select(row => x.Dot(row)).ToArray();
        return _agents.Select((v, k) => LogisticRouter.Sigmoid(_bias[k] + v.Select((vd, d) => vd * e[d]).Sum())).ToArray();
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));
}
