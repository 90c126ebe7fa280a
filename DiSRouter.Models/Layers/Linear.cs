using System.Numerics.Tensors;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Layers;

/// <summary>
/// Fully connected layer with PyTorch's weight layout (out, in). N = rows, In / Out = features.
/// An empty bias span means no bias; an empty gradient span means that gradient is not wanted.
/// </summary>
internal static class Linear
{
    // y (N, Out) = x (N, In) · wᵀ (In, Out) + bias (Out)
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures)
    {
        Gemm.Sgemm(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, w, inFeatures, 0f, y, outFeatures);
        AddBias(y, bias, rows, outFeatures);
    }

    // The same with the weight packed once for the GEMM (inference): y (N, Out) = x (N, In) · wᵀ + bias (Out)
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, PackedWeight w, ReadOnlySpan<float> bias, int rows)
    {
        Gemm.Sgemm(rows, 1f, x, w.K, w, 0f, y, w.N);
        AddBias(y, bias, rows, w.N);
    }

    private static void AddBias(Span<float> y, ReadOnlySpan<float> bias, int rows, int outFeatures)
    {
        if (bias.IsEmpty) return;
        for (int n = 0; n < rows; n++)
        {
            var row = y.Slice(n * outFeatures, outFeatures);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    // dx (N, In) += dy · w ; dw (Out, In) += dyᵀ · x ; dbias (Out) += Σ_n dy[n]
    // overwriteDx: dx = dy · w instead (dx is a fresh gradient buffer whose contents are garbage: nothing is read)
    public static void Backward(Span<float> dx, Span<float> dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int rows, int inFeatures, int outFeatures,
        bool overwriteDx = false)
    {
        if (!dx.IsEmpty)
            Gemm.Sgemm(false, false, rows, inFeatures, outFeatures, 1f, dy, outFeatures, w, inFeatures, overwriteDx ? 0f : 1f, dx, inFeatures);
        if (!dw.IsEmpty)
            Gemm.Sgemm(true, false, outFeatures, inFeatures, rows, 1f, dy, outFeatures, x, inFeatures, 1f, dw, inFeatures);
        if (!dbias.IsEmpty)
            for (int n = 0; n < rows; n++)
                TensorPrimitives.Add(dbias, dy.Slice(n * outFeatures, outFeatures), dbias);
    }
}
