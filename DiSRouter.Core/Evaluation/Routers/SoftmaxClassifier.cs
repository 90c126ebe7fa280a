namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>Multinomial logistic regression on the n-gram vector: the head that states a query's family or difficulty for Self-Route.</summary>
public sealed class SoftmaxClassifier
{
    private readonly NGramFeatures _features;
    private readonly double[][] _weights; // [class][feature + bias]

    private SoftmaxClassifier(NGramFeatures features, IReadOnlyList<string> classes, double[][] weights)
    {
        _features = features;
        Classes = classes;
        _weights = weights;
    }

    public IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// The weights as a file keeps them: only the features some class weighs (SGD with L2 on the features a query holds
    /// leaves every other weight at exactly zero), rounded to float32; the biases as doubles. A head read back from it
    /// (<see cref="FromHead"/>) is what serving uses, so the rounding is the served router's own.
    /// </summary>
    public SoftmaxHead Export()
    {
        var used = Enumerable.Range(0, _features.Dimensions).Where(f => _weights.Any(w => w[f] != 0)).ToArray();
        return new SoftmaxHead(Classes.ToList(), used, _weights.Select(w => SoftmaxHead.Encode(used.Select(f => (float)w[f]).ToArray())).ToList(),
            _weights.Select(w => w[^1]).ToArray());
    }

    /// <summary>A head read back from <see cref="Export"/>'s shape; the feature extractor must have the dimensions it was fitted with.</summary>
    public static SoftmaxClassifier FromHead(SoftmaxHead head, NGramFeatures features)
    {
        if (head.Classes.Count == 0 || head.Weights.Count != head.Classes.Count || head.Bias.Length != head.Classes.Count)
            throw new InvalidDataException($"A head needs one weight row and one bias per class ({head.Classes.Count} classes, {head.Weights.Count} rows, {head.Bias.Length} biases).");
        var w = new double[head.Classes.Count][];
        for (int c = 0; c < w.Length; c++)
        {
            var row = head.Row(c);
            w[c] = new double[features.Dimensions + 1];
            for (int j = 0; j < head.Features.Length; j++)
            {
                int f = head.Features[j];
                if (f < 0 || f >= features.Dimensions) throw new InvalidDataException($"Feature {f} lies outside the {features.Dimensions} hashed dimensions.");
                w[c][f] = row[j];
            }
            w[c][^1] = head.Bias[c];
        }
        return new SoftmaxClassifier(features, head.Classes, w);
    }

    public static SoftmaxClassifier Fit(IReadOnlyList<string> texts, IReadOnlyList<string> labels, NGramFeatures features, int epochs = 20, double l2 = 1e-4, int seed = 0)
    {
        if (texts.Count != labels.Count || texts.Count == 0) throw new ArgumentException("One label per text, at least one text.", nameof(labels));
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToList();
        var y = labels.Select(l => classes.IndexOf(l)).ToArray();
        var x = texts.Select(features.Of).ToArray();
        var w = classes.Select(_ => new double[features.Dimensions + 1]).ToArray();
        var order = Enumerable.Range(0, x.Length).ToArray();
        var rng = new Tasks.StableRandom((ulong)seed + 307);
        var p = new double[classes.Count];
        int t = 0;
        for (int e = 0; e < epochs; e++)
        {
            rng.Shuffle(order);
            foreach (int i in order)
            {
                double lr = 0.5 / (1 + 0.01 * t++);
                Probabilities(x[i], w, p);
                for (int c = 0; c < classes.Count; c++)
                {
                    double g = p[c] - (y[i] == c ? 1 : 0);
                    for (int j = 0; j < x[i].Index.Length; j++)
                    {
                        int f = x[i].Index[j];
                        w[c][f] -= lr * (g * x[i].Value[j] + l2 * w[c][f]);
                    }
                    w[c][^1] -= lr * g;
                }
            }
        }
        return new SoftmaxClassifier(features, classes, w);
    }

    public string Predict(string text)
    {
        var p = new double[Classes.Count];
        Probabilities(_features.Of(text), _weights, p);
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        return Classes[best];
    }

    private static void Probabilities(SparseVector x, double[][] w, double[] p)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < w.Length; c++) { p[c] = x.Dot(w[c]) + w[c][^1]; max = Math.Max(max, p[c]); }
        double sum = 0;
        for (int c = 0; c < w.Length; c++) { p[c] = Math.Exp(p[c] - max); sum += p[c]; }
        for (int c = 0; c < w.Length; c++) p[c] /= sum;
    }
}
