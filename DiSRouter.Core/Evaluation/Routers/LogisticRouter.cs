namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// RouteLLM's text classifier in its simplest strong form: per agent, a logistic regression on the query's bag of
/// n-grams predicting whether that agent answers correctly, trained on the labelled validation queries. The L2 weight
/// is chosen by k-fold cross-validated log loss on the same queries (<see cref="Fit"/>).
/// </summary>
public sealed class LogisticRouter : ICorrectnessModel
{
    private readonly NGramFeatures _features;
    private readonly double[][] _weights; // [agent][feature], the last entry the bias

    private LogisticRouter(NGramFeatures features, double[][] weights, double l2)
    {
        _features = features;
        _weights = weights;
        L2 = l2;
    }

    public double L2 { get; }

    public static readonly double[] L2Grid = [1e-4, 1e-3, 1e-2];

    /// <param name="correct">[agent][query]: whether the agent's answer to the query is right.</param>
    public static LogisticRouter Fit(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, NGramFeatures features,
        int epochs = 40, int folds = 5, int seed = 0)
    {
        var x = queries.Select(q => features.Of(q.Text)).ToArray();
        double best = double.PositiveInfinity, bestL2 = L2Grid[0];
        foreach (var l2 in L2Grid)
        {
            double loss = CrossValidation.LogLoss(x.Length, folds, seed, (train, held) =>
            {
                var w = correct.Select(c => Train(train.Select(i => x[i]).ToArray(), train.Select(i => c[i]).ToArray(), features.Dimensions, l2, epochs, seed)).ToArray();
                return held.Select(i => w.Select(wk => Sigmoid(x[i].Dot(wk) + wk[^1])).ToArray()).ToArray();
            }, correct);
            if (loss < best) { best = loss; bestL2 = l2; }
        }
        var weights = correct.Select(c => Train(x, c.ToArray(), features.Dimensions, bestL2, epochs, seed)).ToArray();
        return new LogisticRouter(features, weights, bestL2);
    }

    public double[] Predict(RoutedQuery query)
    {
        var v = _features.Of(query.Text);
        return _weights.Select(w => Sigmoid(v.Dot(w) + w[^1])).ToArray();
    }

    /// <summary>Stochastic gradient descent on the L2-regularised log loss, in a seeded order, with a decaying step.</summary>
    internal static double[] Train(SparseVector[] x, bool[] y, int dimensions, double l2, int epochs, int seed)
    {
        var w = new double[dimensions + 1];
        var order = Enumerable.Range(0, x.Length).ToArray();
        var rng = new Tasks.StableRandom((ulong)seed + 17);
        int t = 0;
        for (int e = 0; e < epochs; e++)
        {
            rng.Shuffle(order);
            foreach (int i in order)
            {
                double lr = 0.5 / (1 + 0.01 * t++);
                double p = Sigmoid(x[i].Dot(w) + w[^1]);
                double g = p - (y[i] ? 1 : 0);
                // Lazy-free L2: shrink only the touched weights (a common approximation on sparse data).
                for (int j = 0; j < x[i].Index.Length; j++)
                {
                    int f = x[i].Index[j];
                    w[f] -= lr * (g * x[i].Value[j] + l2 * w[f]);
                }
                w[^1] -= lr * g;
            }
        }
        return w;
    }

    internal static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
