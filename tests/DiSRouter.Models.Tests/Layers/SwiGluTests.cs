using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class SwiGluTests
{
    [Fact]
    public void ForwardIsSiluOfGateTimesUp()
    {
        float[] gate = [-3f, -0.5f, 0f, 0.5f, 4f], up = [1f, 2f, 3f, -1f, 0.5f], y = new float[5];

        SwiGlu.Forward(y, gate, up);

        for (int i = 0; i < 5; i++) Assert.Equal(gate[i] / (1 + Math.Exp(-gate[i])) * up[i], y[i], 1e-6);
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var rng = new Random(1);
        float[] gate = Random(rng, 300, 4), up = Random(rng, 300, 2), r = Random(rng, 300);
        float[] dgate = new float[300], dup = new float[300];
        double Loss() { var y = new float[300]; SwiGlu.Forward(y, gate, up); return Dot(r, y); }

        SwiGlu.Backward(dgate, dup, r, gate, up);

        Check("dgate", gate, dgate, Loss, maxChecks: 300);
        Check("dup", up, dup, Loss, maxChecks: 300);
    }

    [Fact]
    public void BackwardOverwritesFreshGradientsWithoutReadingThemAndAddsToOthers()
    {
        var rng = new Random(2);
        float[] gate = Random(rng, 301, 4), up = Random(rng, 301, 2), r = Random(rng, 301);
        float[] addedGate = new float[301], addedUp = new float[301];
        SwiGlu.Backward(addedGate, addedUp, r, gate, up);
        float[] freshGate = Enumerable.Repeat(float.NaN, 301).ToArray(), freshUp = Enumerable.Repeat(float.NaN, 301).ToArray();

        SwiGlu.Backward(freshGate, freshUp, r, gate, up, overwriteGate: true, overwriteUp: true);
        float[] onlyUp = Enumerable.Repeat(1f, 301).ToArray();
        SwiGlu.Backward(default, onlyUp, r, gate, up);

        Assert.Equal(addedGate, freshGate);
        Assert.Equal(addedUp, freshUp);
        for (int i = 0; i < 301; i++) Assert.Equal(1f + addedUp[i], onlyUp[i]);
    }
}
