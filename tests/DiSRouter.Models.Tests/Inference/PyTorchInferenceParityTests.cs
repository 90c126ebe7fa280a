using DiSRouter.Models.Inference;
using DiSRouter.Models.Tests.Parity;

namespace DiSRouter.Models.Tests.Inference;

/// <summary>
/// The inference paths against the committed PyTorch reference (TestData/parity, written by Reference/make_reference.py
/// in float64 on float32 weights): the batch forward, right-padded batches, and token-by-token KV-cached decoding
/// must all give PyTorch's logits within 2e-5 absolute, the tolerance the training parity uses.
/// </summary>
public sealed class PyTorchInferenceParityTests
{
    private const double Tolerance = 2e-5;

    public static TheoryData<string> Cases => ["gqa_bias_untied", "mha_tied"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchForwardOfEachSequenceMatchesPyTorch(string name)
    {
        var reference = ReferenceCase.Load(name);
        var model = reference.LoadModel();
        var expected = reference.Tensor("logits");  // (B·T, V), row b·T + t predicts token t + 1 of sequence b
        int v = model.Config.VocabSize, t = reference.SeqLen;

        for (int b = 0; b < reference.Sequences.Length; b++)
        {
            var input = reference.Sequences[b][..^1];
            var sut = ForwardPass.Logits(model, input, 1, input.Length);
            AssertClose(expected.AsSpan(b * t * v, input.Length * v), sut, $"{name} sequence {b}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RightPaddedBatchMatchesPyTorchOnTheRealTokens(string name)
    {
        var reference = ReferenceCase.Load(name);
        var model = reference.LoadModel();
        var expected = reference.Tensor("logits");
        int v = model.Config.VocabSize, t = reference.SeqLen, batch = reference.Sequences.Length;
        var tokens = new int[batch * t]; // pad id 0: a causal model never lets a real position see the padding after it
        for (int b = 0; b < batch; b++) reference.Sequences[b][..^1].CopyTo(tokens, b * t);

        var sut = ForwardPass.Logits(model, tokens, batch, t);

        for (int b = 0; b < batch; b++)
        {
            int real = reference.Sequences[b].Length - 1;
            AssertClose(expected.AsSpan(b * t * v, real * v), sut.AsSpan(b * t * v, real * v), $"{name} row {b}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KvCachedDecodingMatchesPyTorchAtEveryPosition(string name)
    {
        var reference = ReferenceCase.Load(name);
        var model = reference.LoadModel();
        var expected = reference.Tensor("logits");
        int v = model.Config.VocabSize, t = reference.SeqLen;
        var sequence = reference.Sequences[0];
        var weights = InferenceWeights.For(model);
        var ws = new Workspace(model.Config, 3, 1, 1, sequence.Length);

        // A 3-token prompt pass, then one token per step through the cache.
        Decoder.Forward(weights, ws, sequence.AsSpan(0, 3), 1, 3, 0, [0], allLogits: false);
        AssertClose(expected.AsSpan(2 * v, v), ws.Logits.AsSpan(0, v), $"{name} prompt");
        for (int pos = 3; pos < sequence.Length - 1; pos++)
        {
            Decoder.Forward(weights, ws, sequence.AsSpan(pos, 1), 1, 1, pos, [0], allLogits: false);
            AssertClose(expected.AsSpan(pos * v, v), ws.Logits.AsSpan(0, v), $"{name} position {pos}");
        }
        Assert.True(t >= sequence.Length - 1);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        bool anyNonZero = false;
        for (int i = 0; i < expected.Length; i++)
        {
            anyNonZero |= expected[i] != 0;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{what} [{i}]: PyTorch {expected[i]:G7}, engine {actual[i]:G7}");
        }
        Assert.True(anyNonZero, $"{what}: the reference is all zeros");
    }
}
