using DiSRouter.Models.Autograd;
using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Autograd;

public sealed class TapeTests
{
    private const int B = 2, T = 4, C = 8, Heads = 2, Vocab = 7;

    // Every op of the tape in one small graph: a loss on top, gradients for all parameters.
    private sealed class Net
    {
        public readonly Parameter Emb = P("emb", Vocab, C), Norm = P("norm", C), Wq = P("wq", C, C), Bq = P("bq", C), Wk = P("wk", C, C),
            Wv = P("wv", C, C), Wg = P("wg", 12, C), Wu = P("wu", 12, C), Wd = P("wd", C, 12);
        public readonly int[] Tokens = [1, 5, 2, 6, 3, 3, 0, 0], Targets = [5, 2, 6, 4, 3, 0, -1, -1], Lengths = [4, 2];
        public readonly float[] Weights = [1, 1, 0, 1, 1, 1, 0, 0];
        private readonly RopeTable _rope = new(8, C / Heads, 10000);

        public Parameter[] All => [Emb, Norm, Wq, Bq, Wk, Wv, Wg, Wu, Wd];

        public Tensor Loss(Tape g)
        {
            var x = g.Embedding(g.Param(Emb), Tokens);
            var h = g.RmsNorm(x, g.Param(Norm), 1e-5f);
            var q = g.Rope(g.Linear(h, g.Param(Wq), g.Param(Bq)), Heads, T, 0, _rope);
            var k = g.Rope(g.Linear(h, g.Param(Wk)), Heads, T, 0, _rope);
            var v = g.Linear(h, g.Param(Wv));
            x = g.Add(x, g.Attention(q, k, v, Lengths, B, T, Heads, Heads));
            x = g.Add(x, g.Linear(g.SwiGlu(g.Linear(x, g.Param(Wg)), g.Linear(x, g.Param(Wu))), g.Param(Wd)));
            var logits = g.Linear(x, g.Param(Emb));   // tied head: the embedding is used twice
            return g.WeightedSum(g.LogSoftmaxGather(logits, Targets), Weights, -1f / 5);
        }

        private static Parameter P(string name, params int[] shape)
        {
            var p = new Parameter(name, shape);
            // A seed from the name's characters: string.GetHashCode is randomised per process, which drew new weights on
            // every run (and now and then a wq whose checked gradients were all ~0, failing the vacuity guard).
            var rng = new Random(name.Aggregate(17, (h, ch) => unchecked(h * 31 + ch)) & 0xFFFF);
            for (int i = 0; i < p.Length; i++) p.Data[i] = (float)((rng.NextDouble() * 2 - 1) * 0.5);
            if (shape.Length == 1 && name == "norm") for (int i = 0; i < p.Length; i++) p.Data[i] += 1f;
            return p;
        }
    }

    [Fact]
    public void GradientsWrittenIntoRecycledArenaMemoryIgnoreWhatWasThere()
    {
        // Gradients first written by a product or a residual add are not zeroed (Tensor.GradForWrite): a pass over arena
        // memory full of NaN from the pass before must give the same parameter gradients as a pass over a new tape.
        var net = new Net();
        var clean = new Tape();
        clean.Backward(net.Loss(clean));
        var expected = net.All.Select(p => p.Grad.ToArray()).ToArray();
        foreach (var p in net.All) p.ZeroGrad();

        var sut = new Tape();
        sut.Arena.Allocate(1 << 15, zero: false).AsSpan().Fill(float.NaN);
        sut.Reset();
        sut.Backward(net.Loss(sut));

        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], net.All[i].Grad.ToArray());
    }

    [Fact]
    public void BackwardThroughEveryOpMatchesFiniteDifferences()
    {
        var net = new Net();
        var sut = new Tape();
        sut.Backward(net.Loss(sut));
        sut.Reset();
        var noGrad = new Tape { GradEnabled = false };
        double Loss() { double l = net.Loss(noGrad).Data[0]; noGrad.Reset(); return l; }

        foreach (var p in net.All) Check(p.Name, p.Data, p.Grad, Loss);
    }

    [Fact]
    public void OneParameterMapsToOneTensorSoATiedHeadSumsItsGradients()
    {
        var emb = new Parameter("emb", [Vocab, C]);
        var sut = new Tape();

        Assert.Same(sut.Param(emb), sut.Param(emb));
    }

    [Fact]
    public void SecondPassReusesTheArenaWithoutGrowing()
    {
        var net = new Net();
        var sut = new Tape();
        sut.Backward(net.Loss(sut));
        sut.Reset();
        sut.Backward(net.Loss(sut));
        long capacity = sut.Arena.CapacityFloats;
        sut.Reset();

        sut.Backward(net.Loss(sut));

        Assert.Equal(capacity, sut.Arena.CapacityFloats);
        Assert.True(sut.Arena.UsedFloats > 0);
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardPasses()
    {
        var net = new Net();
        var sut = new Tape();
        sut.Backward(net.Loss(sut));
        sut.Reset();
        var once = net.Wq.Grad.ToArray();

        sut.Backward(net.Loss(sut));

        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], net.Wq.Grad[i], 1e-5);
    }

    [Fact]
    public void WithoutGradNothingIsRecordedAndNoGradientIsTouched()
    {
        var net = new Net();
        var sut = new Tape { GradEnabled = false };

        var loss = net.Loss(sut);

        Assert.Equal(0, sut.RecordedOps);
        Assert.False(loss.RequiresGrad);
        Assert.All(net.All, p => Assert.False(p.HasGrad));
        Assert.Throws<InvalidOperationException>(() => sut.Backward(loss));
    }

    [Fact]
    public void MismatchedShapesAreRejectedWithTheOpsName()
    {
        var sut = new Tape();
        var a = sut.Empty(2, 3);
        var b = sut.Empty(3, 2);

        var ex = Assert.Throws<ArgumentException>(() => sut.Add(a, b));
        Assert.Contains("Add", ex.Message);
    }
}
