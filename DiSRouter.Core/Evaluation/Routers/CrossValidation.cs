namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>k-fold cross-validation on the training queries alone: how the routers pick their one hyper-parameter.</summary>
internal static class CrossValidation
{
    /// <summary>The fold of each of <paramref name="n"/> items, in a seeded order.</summary>
    public static int[] Folds(int n, int folds, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Tasks.StableRandom((ulong)seed + 101).Shuffle(order);
        var fold = new int[n];
        for (int j = 0; j < n; j++) fold[order[j]] = j % folds;
        return fold;
    }

    /// <summary>
    /// Mean log loss of held-out predictions: <paramref name="fitPredict"/>(train, held) returns, per held item, each
    /// agent's predicted probability of a right answer.
    /// </summary>
    public static double LogLoss(int n, int folds, int seed, Func<int[], int[], double[][]> fitPredict, IReadOnlyList<IReadOnlyList<bool>> correct)
    {
        var fold = Folds(n, folds, seed);
        double loss = 0;
        int count = 0;
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
            var held = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
            if (held.Length == 0 || train.Length == 0) continue;
            var p = fitPredict(train, held);
            for (int j = 0; j < held.Length; j++)
                for (int k = 0; k < correct.Count; k++)
                {
                    double q = Math.Clamp(p[j][k], 1e-6, 1 - 1e-6);
                    loss -= correct[k][held[j]] ? Math.Log(q) : Math.Log(1 - q);
                    count++;
                }
        }
        return count == 0 ? double.PositiveInfinity : loss / count;
    }
}
