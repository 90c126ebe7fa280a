namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// FrugalGPT's scorer in the nano world: per agent, a logistic regression that reads the query together with the
/// agent's answer (bag of n-grams of both) and the answer's mean token log-probability and length, and predicts whether
/// the answer is right. <see cref="OutOfFold"/> gives the training queries' own scores from models that did not see
/// them, so that a cascade's thresholds can be tuned on the same labelled queries without reading the scorer's fit.
/// </summary>
public sealed class AnswerScorer
{
    private readonly NGramFeatures _features;
    private readonly double[] _weights;

    private AnswerScorer(NGramFeatures features, double[] weights)
    {
        _features = features;
        _weights = weights;
    }

    /// <summary>One scored answer: the query, the agent's answer, its mean token log-probability and its length in tokens.</summary>
    public readonly record struct Input(string Query, string Answer, double MeanLogProb, int Tokens);

    public static AnswerScorer Fit(IReadOnlyList<Input> inputs, IReadOnlyList<bool> correct, NGramFeatures features, double l2 = 1e-3, int epochs = 30, int seed = 0)
    {
        var x = inputs.Select(i => Vector(features, i)).ToArray();
        return new AnswerScorer(features, LogisticRouter.Train(x, correct.ToArray(), features.Dimensions + 2, l2, epochs, seed));
    }

    public double Score(Input input) => LogisticRouter.Sigmoid(Vector(_features, input).Dot(_weights) + _weights[^1]);

    /// <summary>Each input's score from a scorer fitted on the other folds.</summary>
    public static double[] OutOfFold(IReadOnlyList<Input> inputs, IReadOnlyList<bool> correct, NGramFeatures features, int folds = 5, int seed = 0)
    {
        var fold = CrossValidation.Folds(inputs.Count, folds, seed);
        var scores = new double[inputs.Count];
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, inputs.Count).Where(i => fold[i] != f).ToList();
            if (train.Count == 0) continue;
            var scorer = Fit(train.Select(i => inputs[i]).ToList(), train.Select(i => correct[i]).ToList(), features, seed: seed);
            for (int i = 0; i < inputs.Count; i++) if (fold[i] == f) scores[i] = scorer.Score(inputs[i]);
        }
        return scores;
    }

    // The query's and the answer's n-grams (one hashed space, the answer's text marked so the two do not share grams
    // by accident), then two dense features past the hashed ones: mean log-probability and length / 100.
    private static SparseVector Vector(NGramFeatures features, Input input)
    {
        var text = features.Of(input.Query + "\n" + string.Join(' ', input.Answer.Split(' ').Select(w => "ans_" + w)));
        return new SparseVector([.. text.Index, features.Dimensions, features.Dimensions + 1],
            [.. text.Value, input.MeanLogProb, input.Tokens / 100.0]);
    }
}
