using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class ReinforcePlusPlusTests
{
    // Two rollouts of three log-prob positions each: position 0 predicts a prompt token (mask 0), positions 1 and 2
    // are answer tokens. β = 0.1 (large, so that the KL term shows in the numbers), ε = 0.2.
    //
    // rollout A, reward 1: old = [−9, −0.5, −1.0], ref = [−9, −0.7, −1.0]
    //   k = old − ref = [·, 0.2, 0]         r = −β·k + R·[last] = [·, −0.02, 1]      G = [·, 0.98, 1]
    // rollout B, reward 0: old = [−9, −2.0, −0.1], ref = [−9, −1.5, −0.1]
    //   k = [·, −0.5, 0]                    r = [·, 0.05, 0]                          G = [·, 0.05, 0]
    // returns over the batch: 0.98, 1, 0.05, 0 → μ = 2.03 / 4 = 0.5075
    //   deviations 0.4725, 0.4925, −0.4575, −0.5075; squares 0.22325625 + 0.24255625 + 0.20930625 + 0.25755625 = 0.932675
    //   σ² = 0.932675 / 4 = 0.23316875, √(σ² + 1e-8) = 0.48287551
    //   A = [0.97851307, 1.01993161, −0.94744916, −1.05099552]
    private const double A1 = 0.4725 / 0.48287551191, A2 = 0.4925 / 0.48287551191, A3 = -0.4575 / 0.48287551191, A4 = -0.5075 / 0.48287551191;

    private static readonly ReinforcePlusPlusOptions Options = new() { KlCoef = 0.1, ClipEpsilon = 0.2 };

    private static RlRollout[] Batch() =>
    [
        new([-9f, -0.5f, -1.0f], [-9f, -0.7f, -1.0f], [0f, 1f, 1f], Reward: 1),
        new([-9f, -2.0f, -0.1f], [-9f, -1.5f, -0.1f], [0f, 1f, 1f], Reward: 0),
    ];

    // Current policy: A1 ratio e^{0.2} = 1.2214 > 1.2 with A > 0 → clipped (1.2·A1, gradient 0);
    // A2 ratio 1 → A2; B1 ratio e^{−0.1} = 0.904837 inside the range → 0.904837·A3;
    // B2 ratio e^{−0.3} = 0.740818 < 0.8 with A < 0 → clipped (0.8·A4, gradient 0).
    private static float[][] Current() => [[-9f, -0.3f, -1.0f], [-9f, -2.1f, -0.4f]];

    [Fact]
    public void AdvantagesMatchTheHandComputedExample()
    {
        var sut = new ReinforcePlusPlus(Options);
        var adv = sut.Advantages(Batch());
        Assert.Equal(0f, adv.Values[0][0]);
        Assert.Equal(0f, adv.Values[1][0]);
        Assert.Equal(A1, adv.Values[0][1], 5);
        Assert.Equal(A2, adv.Values[0][2], 5);
        Assert.Equal(A3, adv.Values[1][1], 5);
        Assert.Equal(A4, adv.Values[1][2], 5);
        Assert.Equal(4, adv.Tokens);
        Assert.Equal(0.5, adv.MeanReward, 12);
        Assert.Equal((0.2 + 0 - 0.5 + 0) / 4, adv.MeanKl, 6);
        Assert.Equal(0.5075, adv.ReturnMean, 6);
    }

    [Fact]
    public void LossAndGradientMatchTheHandComputedExample()
    {
        var sut = new ReinforcePlusPlus(Options);
        var batch = Batch();
        var loss = sut.Loss(batch, sut.Advantages(batch).Values, Current(), totalTokens: 4);

        // L = −(1.2·A1 + 1·A2 + 0.904837·A3 + 0.8·A4) / 4 = −0.1240159
        double r3 = Math.Exp(-0.1);
        Assert.Equal(-(1.2 * A1 + A2 + r3 * A3 + 0.8 * A4) / 4, loss.Value, 5);
        Assert.Equal(-0.1240159, loss.Value, 5);
        // dL/dlogπ = −ρ·A / T on unclipped tokens: A2 → −1.0199316 / 4 = −0.2549829; B1 → −0.904837·(−0.9474492) / 4 = 0.2143219.
        double[] expected = [0, 0, -0.2549829, 0, 0.2143219, 0];
        var actual = loss.Gradient.SelectMany(g => g).ToArray();
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 5);
        Assert.Equal(0.5, loss.ClipFraction, 12);
    }

    [Fact]
    public void GradientAgreesWithFiniteDifferencesOfTheLoss()
    {
        var sut = new ReinforcePlusPlus(Options);
        var batch = Batch();
        var adv = sut.Advantages(batch).Values;
        var current = Current();
        var analytic = sut.Loss(batch, adv, current, 4).Gradient;
        const float h = 1e-3f;
        for (int i = 0; i < current.Length; i++)
            for (int t = 0; t < current[i].Length; t++)
            {
                var plus = current.Select(a => (float[])a.Clone()).ToArray();
                var minus = current.Select(a => (float[])a.Clone()).ToArray();
                plus[i][t] += h;
                minus[i][t] -= h;
                double numeric = (sut.Loss(batch, adv, plus, 4).Value - sut.Loss(batch, adv, minus, 4).Value) / (2 * h);
                Assert.Equal(numeric, analytic[i][t], 3);
            }
    }

    [Fact]
    public void OnPolicyTheLossIsMinusTheMeanAdvantageAndTheGradientMinusAdvantageOverTokens()
    {
        var sut = new ReinforcePlusPlus(Options);
        var batch = Batch();
        var adv = sut.Advantages(batch).Values;
        var onPolicy = batch.Select(r => r.OldLogProbs).ToArray();
        var loss = sut.Loss(batch, adv, onPolicy, 4);
        // Whitened advantages sum to zero, so L = 0; every answer token is unclipped.
        Assert.Equal(0, loss.Value, 6);
        Assert.Equal(-A2 / 4, loss.Gradient[0][2], 5);
        Assert.Equal(0, loss.ClipFraction);
    }

    [Fact]
    public void MicroBatchGradientsAddUpToTheBatchGradient()
    {
        var sut = new ReinforcePlusPlus(Options);
        var batch = Batch();
        var adv = sut.Advantages(batch).Values;
        var whole = sut.Loss(batch, adv, Current(), 4);
        var first = sut.Loss([batch[0]], [adv[0]], [Current()[0]], 4);
        var second = sut.Loss([batch[1]], [adv[1]], [Current()[1]], 4);
        Assert.Equal(whole.Value, first.Value + second.Value, 9);
        Assert.Equal(whole.Gradient[1], second.Gradient[0]);
    }

    [Fact]
    public void EqualReturnsGiveZeroAdvantagesNotNaN()
    {
        var sut = new ReinforcePlusPlus(new ReinforcePlusPlusOptions { KlCoef = 0 });
        RlRollout[] same = [new([-1f], [-1f], [1f], 1), new([-2f], [-2f], [1f], 1)];
        var adv = sut.Advantages(same);
        Assert.All(adv.Values.SelectMany(v => v), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ARolloutWithoutAnswerTokensIsRefused()
    {
        var sut = new ReinforcePlusPlus(Options);
        Assert.Throws<ArgumentException>(() => sut.Advantages([new RlRollout([-1f], [-1f], [0f], 1)]));
    }
}
