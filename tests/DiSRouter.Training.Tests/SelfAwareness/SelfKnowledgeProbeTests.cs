using DiSRouter.Core.Tasks;
using DiSRouter.Training.Evaluation;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

/// <summary>
/// The probe on a world where the answer is known: a two-value "hidden state" whose second value carries the model's
/// chance of being right (p = sigmoid(3·v)) and whose first is noise on a much larger scale (what standardising must undo).
/// </summary>
public class SelfKnowledgeProbeTests
{
    private static (List<float[]> States, List<bool> Right) Draw(int n, ulong seed)
    {
        var rng = new StableRandom(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var states = new List<float[]>();
        var right = new List<bool>();
        for (int i = 0; i < n; i++)
        {
            double u = 50 * Normal(), v = Normal();
            states.Add([(float)u, (float)v]);
            right.Add(rng.Chance(1 / (1 + Math.Exp(-3 * v))));
        }
        return (states, right);
    }

    [Fact]
    public void TheProbeFindsTheDirectionThatCarriesCorrectnessAndIgnoresTheNoise()
    {
        var (states, right) = Draw(900, 5);
        var probe = SelfKnowledgeProbe.Fit(states, right, Enumerable.Range(0, states.Count).Select(i => i / 3).ToList());

        Assert.Contains(probe.L2, SelfKnowledgeProbe.L2Grid);
        // Per unit of v the log-odds rise by about 3; a unit of u (1/50 of its spread) moves them by almost nothing.
        double slope = probe.Score([0, 1]) - probe.Score([0, 0]);
        Assert.InRange(slope, 2, 4.5);
        Assert.InRange(Math.Abs(probe.Score([1, 0]) - probe.Score([0, 0])), 0, 0.02);

        // On a fresh draw it ranks correctness about as well as the true log-odds do.
        var (test, labels) = Draw(2000, 6);
        double probeAuc = SelfAwareDiagnosis.Auc(test.Select(s => probe.Score(s)).ToArray(), labels.ToArray());
        double trueAuc = SelfAwareDiagnosis.Auc(test.Select(s => (double)s[1]).ToArray(), labels.ToArray());
        Assert.InRange(probeAuc, trueAuc - 0.01, 1);
        Assert.InRange(probe.CrossValidatedLogLoss, 0.1, Math.Log(2));
    }

    [Fact]
    public void AStateOfAnotherSizeIsRejected()
    {
        var (states, right) = Draw(60, 7);
        var probe = SelfKnowledgeProbe.Fit(states, right, Enumerable.Range(0, 60).ToList());
        Assert.Throws<ArgumentException>(() => probe.Score([1, 2, 3]));
    }

    [Fact]
    public void MismatchedLabelsAreRejected()
    {
        var (states, right) = Draw(10, 8);
        Assert.Throws<ArgumentException>(() => SelfKnowledgeProbe.Fit(states, right.Take(9).ToList(), Enumerable.Range(0, 10).ToList()));
    }
}
