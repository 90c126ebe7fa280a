using DiSRouter.Models.Autograd;
using DiSRouter.Models.Training;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Training;

public sealed class TransformerGraphTests
{
    [Theory]
    [InlineData(false, true)]   // untied head, q/k/v biases
    [InlineData(true, false)]   // tied head, no biases
    public void WholeModelGradientsMatchFiniteDifferences(bool tied, bool bias)
    {
        var config = TinyModels.Config(tied, bias);
        var model = TinyModels.Model(config, seed: 3, scale: 10f);
        var rng = new Random(5);
        int[][] seqs = [TinyModels.Sequence(rng, 7), TinyModels.Sequence(rng, 4), TinyModels.Sequence(rng, 6)];
        float[]?[] masks = [null, [0, 0, 1, 1], [0, 1, 0, 1, 1, 0]];
        var batch = new PaddedBatch();
        batch.Build(seqs, masks, 0, seqs.Length, config);
        var graph = new TransformerGraph(model);
        Tensor Loss(Tape g) => g.WeightedSum(g.LogSoftmaxGather(graph.Forward(g, batch), batch.Targets), batch.Weights, -1f); // summed, not averaged: gradients well above the tolerance

        var sut = new Tape();
        sut.Backward(Loss(sut));
        var noGrad = new Tape { GradEnabled = false };
        double Numeric() { double l = Loss(noGrad).Data[0]; noGrad.Reset(); return l; }

        foreach (var p in model.Parameters) Check(p.Name, p.Data, p.Grad, Numeric, maxChecks: 16);
    }
}
