using System.Numerics.Tensors;

namespace DiSRouter.Models.Layers;

/// <summary>Numerically stable softmax over one row (the maximum is subtracted before exp).</summary>
internal static unsafe class Softmax
{
    // row (n) ← exp(row − max) / Σ exp(row − max)
    public static void InPlace(Span<float> row)
    {
        if (row.IsEmpty) return;
        float max = TensorPrimitives.Max(row);
        fixed (float* p = row)
        {
            float sum = FastMath.ExpShiftedInPlace(p, row.Length, max);
            TensorPrimitives.Multiply(row, 1f / sum, row);
        }
    }

    // log Σ exp(row), computed around the maximum; scratch holds row.Length floats
    public static float LogSumExp(ReadOnlySpan<float> row, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(row);
        row.CopyTo(scratch);
        fixed (float* p = scratch)
            return max + MathF.Log(FastMath.ExpShiftedInPlace(p, row.Length, max));
    }

    // drow (n) = p ⊙ (dp − Σ p·dp): the softmax Jacobian applied to the gradient of its output p (in place)
    public static void BackwardInPlace(Span<float> dprobs, ReadOnlySpan<float> probs)
    {
        float dot = TensorPrimitives.Dot(dprobs, probs);
        TensorPrimitives.Subtract(dprobs, dot, dprobs);
        TensorPrimitives.Multiply(dprobs, probs, dprobs);
    }
}
