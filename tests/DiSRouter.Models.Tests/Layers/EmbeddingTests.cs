using DiSRouter.Models.Layers;
using static DiSRouter.Models.Tests.Autograd.GradCheck;

namespace DiSRouter.Models.Tests.Layers;

public sealed class EmbeddingTests
{
    [Fact]
    public void ForwardCopiesTheTokensRows()
    {
        var rng = new Random(1);
        float[] w = Random(rng, 5 * 3), y = new float[4 * 3];
        int[] tokens = [4, 0, 4, 2];

        Embedding.Forward(y, tokens, w, 3);

        for (int n = 0; n < tokens.Length; n++)
            Assert.Equal(w.AsSpan(tokens[n] * 3, 3).ToArray(), y.AsSpan(n * 3, 3).ToArray());
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesWithRepeatedTokens()
    {
        var rng = new Random(2);
        float[] w = Random(rng, 5 * 3), r = Random(rng, 4 * 3), dw = new float[w.Length];
        int[] tokens = [4, 0, 4, 2];
        double Loss() { var y = new float[12]; Embedding.Forward(y, tokens, w, 3); return Dot(r, y); }

        Embedding.Backward(dw, r, tokens, 3);

        Check("dweight", w, dw, Loss);
        Assert.All(dw.AsSpan(3 * 3, 3).ToArray(), g => Assert.Equal(0f, g)); // token 3 never appears
    }

    [Fact]
    public void TokenOutsideTheVocabularyIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(new float[3], [5], new float[5 * 3], 3));
        Assert.Contains("Token id 5", ex.Message);
    }
}
