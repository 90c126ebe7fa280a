using System.Numerics.Tensors;

namespace DiSRouter.Models.Layers;

/// <summary>Token embedding lookup. N = rows (B·T), C = channels, V = vocabulary.</summary>
internal static class Embedding
{
    // out (N, C) = weight (V, C) [tokens (N)]
    public static void Forward(Span<float> output, ReadOnlySpan<int> tokens, ReadOnlySpan<float> weight, int channels)
    {
        int vocab = weight.Length / channels;
        for (int n = 0; n < tokens.Length; n++)
        {
            int t = tokens[n];
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {t} at row {n} is outside the vocabulary [0, {vocab}).");
            weight.Slice(t * channels, channels).CopyTo(output.Slice(n * channels, channels));
        }
    }

    // dweight (V, C) += Σ_n onehot(tokens[n]) ⊗ dout[n]; rows summed in token order, so the result is deterministic.
    public static void Backward(Span<float> dweight, ReadOnlySpan<float> doutput, ReadOnlySpan<int> tokens, int channels)
    {
        for (int n = 0; n < tokens.Length; n++)
        {
            var row = dweight.Slice(tokens[n] * channels, channels);
            TensorPrimitives.Add(row, doutput.Slice(n * channels, channels), row);
        }
    }
}
