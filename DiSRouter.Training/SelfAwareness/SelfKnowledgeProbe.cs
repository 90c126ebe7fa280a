namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// A linear probe of a self-aware model's own state: logistic regression from the final normed hidden state at the
/// decision position (the vector the output head reads to choose answer or reject) to whether the model's own answer
/// is right. WHY: the first-token logit gap is one fixed direction of that vector (answer row − reject row of the head),
/// learnt through SFT/RL rewards; a probe fitted on the model's own graded answers may find a better one. Trained on the
/// agent's own answers only (plug-and-play holds). Features are standardised with the training rows' mean and spread;
/// the L2 weight is chosen by 5-fold cross-validated log loss, the folds split by query so that one query's rows (one per
/// α) never sit on both sides.
/// </summary>
internal sealed class SelfKnowledgeProbe
{
    public static readonly double[] L2Grid = [0.1, 1, 10, 100, 1000];
    public const int Folds = 5;

    private readonly double[] _mean, _scale, _weights; // weights: one per feature, then the bias

    private SelfKnowledgeProbe(double[] mean, double[] scale, double[] weights, double l2, double cvLogLoss)
    {
        _mean = mean;
        _scale = scale;
        _weights = weights;
        L2 = l2;
        CrossValidatedLogLoss = cvLogLoss;
    }

    public double L2 { get; }
    public double CrossValidatedLogLoss { get; }
    public int Dimensions => _mean.Length;

    /// <summary>The probe's log-odds that the model's own answer is right (the score its cuts are read on).</summary>
    public double Score(ReadOnlySpan<float> state)
    {
        if (state.Length != _mean.Length) throw new ArgumentException($"The probe reads {_mean.Length} values, got {state.Length}.", nameof(state));
        double z = _weights[^1];
        for (int j = 0; j < state.Length; j++) z += _weights[j] * ((state[j] - _mean[j]) / _scale[j]);
        return z;
    }

    /// <summary>
    /// The same map on the raw features, the standardisation folded in: log-odds = Σ weights[j]·state[j] + bias. WHY: a
    /// file that serves the probe (bid.json) then needs no mean or spread beside it.
    /// </summary>
    public (double[] Weights, double Bias) Unstandardised()
    {
        var weights = new double[_mean.Length];
        double bias = _weights[^1];
        for (int j = 0; j < weights.Length; j++)
        {
            weights[j] = _weights[j] / _scale[j];
            bias -= weights[j] * _mean[j];
        }
        return (weights, bias);
    }

    /// <summary>Fits on <paramref name="states"/> with labels <paramref name="right"/>; <paramref name="group"/>[i] names row i's query (folds keep a query's rows together).</summary>
    public static SelfKnowledgeProbe Fit(IReadOnlyList<float[]> states, IReadOnlyList<bool> right, IReadOnlyList<int> group)
    {
        int n = states.Count;
        if (n == 0 || right.Count != n || group.Count != n) throw new ArgumentException("One label and one group per state, at least one state.", nameof(right));
        int d = states[0].Length;
        var mean = new double[d];
        var scale = new double[d];
        foreach (var s in states) for (int j = 0; j < d; j++) mean[j] += s[j] / n;
        foreach (var s in states) for (int j = 0; j < d; j++) scale[j] += (s[j] - mean[j]) * (s[j] - mean[j]) / n;
        for (int j = 0; j < d; j++) scale[j] = Math.Sqrt(scale[j]) is var sd && sd > 1e-8 ? sd : 1;
        var x = states.Select(s => Enumerable.Range(0, d).Select(j => (s[j] - mean[j]) / scale[j]).ToArray()).ToArray();
        var y = right.Select(r => r ? 1.0 : 0.0).ToArray();

        var fold = group.Select(g => (int)((uint)g * 2654435761u % Folds)).ToArray();
        double bestLoss = double.PositiveInfinity, bestL2 = L2Grid[0];
        foreach (var l2 in L2Grid)
        {
            double loss = 0;
            for (int f = 0; f < Folds; f++)
            {
                var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
                var held = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
                if (train.Length == 0 || held.Length == 0) continue;
                var w = Newton(x, y, train, l2);
                loss += held.Sum(i => LogLoss(Dot(w, x[i]), y[i]));
            }
            if (loss < bestLoss - 1e-12) { bestLoss = loss; bestL2 = l2; }
        }
        return new SelfKnowledgeProbe(mean, scale, Newton(x, y, Enumerable.Range(0, n).ToArray(), bestL2), bestL2, bestLoss / n);
    }

    /// <summary>
    /// Minimises Σ log loss + (l2 / 2)·|w|² (the bias unpenalised) over the given rows by Newton's method: the Hessian is
    /// (d + 1)² and at most 97 wide here, so each step is one small Cholesky solve.
    /// </summary>
    private static double[] Newton(double[][] x, double[] y, int[] rows, double l2, int maxSteps = 25)
    {
        int d = x[0].Length, m = d + 1;
        var w = new double[m];
        for (int step = 0; step < maxSteps; step++)
        {
            var grad = new double[m];
            var hess = new double[m, m];
            foreach (int i in rows)
            {
                double p = Sigmoid(Dot(w, x[i])), g = p - y[i], h = Math.Max(p * (1 - p), 1e-10);
                for (int a = 0; a < m; a++)
                {
                    double xa = a < d ? x[i][a] : 1;
                    grad[a] += g * xa;
                    for (int b = 0; b <= a; b++) hess[a, b] += h * xa * (b < d ? x[i][b] : 1);
                }
            }
            for (int a = 0; a < d; a++) { grad[a] += l2 * w[a]; hess[a, a] += l2; }
            hess[d, d] += 1e-8; // a fold of one class only: keep the bias finite
            var delta = CholeskySolve(hess, grad, m);
            double largest = 0;
            for (int a = 0; a < m; a++) { w[a] -= delta[a]; largest = Math.Max(largest, Math.Abs(delta[a])); }
            if (largest < 1e-8) break;
        }
        return w;
    }

    // Solves H·x = g for symmetric positive definite H given by its lower triangle.
    private static double[] CholeskySolve(double[,] h, double[] g, int m)
    {
        var l = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = h[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(Math.Max(s, 1e-12)) : s / l[j, j];
            }
        var z = new double[m];
        for (int i = 0; i < m; i++)
        {
            double s = g[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * z[k];
            z[i] = s / l[i, i];
        }
        var x = new double[m];
        for (int i = m - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < m; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    private static double Dot(double[] w, double[] x)
    {
        double z = w[^1];
        for (int j = 0; j < x.Length; j++) z += w[j] * x[j];
        return z;
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double LogLoss(double z, double y) => y > 0.5 ? Softplus(-z) : Softplus(z);

    private static double Softplus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));
}
