using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;
using DiSRouter.Models.Layers;

namespace DiSRouter.Models.Inference;

/// <summary>
/// The element-wise steps of the inference forward, one token row at a time in a single pass of whole vectors:
/// RMS norm, rotary embedding with the KV-cache write, and SwiGLU. WHY not the layer kernels (<see cref="RmsNorm"/>,
/// <see cref="Rope"/>, <see cref="SwiGlu"/>) that training uses: those take whole tensors, and called per row (as a
/// prompt pass of a small model must, a few dozen rows of 32–128 channels) each call pays its argument checks and two or
/// three TensorPrimitives calls of their own, and the rotation ran scalar. Measured warm on one thread, a 45-token
/// prompt pass went from 36.5 to 31.7 µs on nano-1 and from 247 to 227 µs on nano-3 (docs/benchmarks.md). Each row is
/// computed the same way whatever the rows around it, so a prompt pass, a decode step and a pass after a reused prefix
/// agree bit for bit.
/// N = rows, C = channels, I = intermediate, Hq / Hkv = heads, D = head dim.
/// </summary>
internal static unsafe class RowKernels
{
    /// <summary>out[n] = x[n] / sqrt(mean(x[n]²) + ε) ⊙ w for rows [start, end) of (N, C).</summary>
    public static void RmsNorm(float* output, float* x, float* w, int start, int end, int channels, float eps)
    {
        for (int n = start; n < end; n++)
        {
            float* xr = x + (long)n * channels, o = output + (long)n * channels;
            int i = 0;
            float sum = 0f;
            if (SimdPath.Is512 && channels >= 16)
            {
                var acc = Vector512<float>.Zero;
                for (; i <= channels - 16; i += 16)
                {
                    var v = Vector512.Load(xr + i);
                    acc = Vector512.FusedMultiplyAdd(v, v, acc);
                }
                sum = Vector512.Sum(acc);
            }
            else if (!SimdPath.Is512 && channels >= Vector<float>.Count)
            {
                var acc = Vector<float>.Zero;
                for (; i <= channels - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var v = Vector.Load(xr + i);
                    acc = Vector.MultiplyAddEstimate(v, v, acc);
                }
                sum = Vector.Sum(acc);
            }
            for (; i < channels; i++) sum += xr[i] * xr[i];
            float r = 1f / MathF.Sqrt(sum / channels + eps);
            i = 0;
            if (SimdPath.Is512)
            {
                var vr = Vector512.Create(r);
                for (; i <= channels - 16; i += 16) (Vector512.Load(xr + i) * Vector512.Load(w + i) * vr).Store(o + i);
            }
            else
            {
                var vr = new Vector<float>(r);
                for (; i <= channels - Vector<float>.Count; i += Vector<float>.Count) (Vector.Load(xr + i) * Vector.Load(w + i) * vr).Store(o + i);
            }
            for (; i < channels; i++) o[i] = xr[i] * w[i] * r;
        }
    }

    /// <summary>
    /// Rows [start, end) of the fused (N, Hq·D + 2·Hkv·D) q|k|v rows, row n at position pos0 + n mod T of cache row
    /// rows[n / T]: q and k turned by the rotary angles of their position (half-split convention, as <see cref="Rope"/>),
    /// then k and v copied to the token's slot of the (rows, Hkv, maxT, D) caches.
    /// </summary>
    public static void RotateAndCache(float* qkv, float* kCache, float* vCache, int* rows, int start, int end, int time, int pos0,
        int heads, int kvHeads, int headDim, int maxT, float* cosTable, float* sinTable)
    {
        int half = headDim / 2, dq = heads * headDim, dkv = kvHeads * headDim, width = dq + 2 * dkv;
        for (int n = start; n < end; n++)
        {
            int b = n / time, pos = pos0 + n % time;
            float* row = qkv + (long)n * width;
            float* cos = cosTable + (long)pos * half, sin = sinTable + (long)pos * half;
            for (int h = 0; h < heads + kvHeads; h++) Rotate(row + h * headDim, cos, sin, half);
            float* k = row + dq, v = k + dkv;
            for (int g = 0; g < kvHeads; g++)
            {
                long slot = (((long)rows[b] * kvHeads + g) * maxT + pos) * headDim;
                Unsafe.CopyBlockUnaligned(kCache + slot, k + g * headDim, (uint)(headDim * sizeof(float)));
                Unsafe.CopyBlockUnaligned(vCache + slot, v + g * headDim, (uint)(headDim * sizeof(float)));
            }
        }
    }

    // (x1, x2) ← (x1·cos − x2·sin, x1·sin + x2·cos) over the two halves of one head. Products and sums rounded one at a
    // time (no fused multiply-add), so the vector lanes give the scalar loop's results and Rope's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rotate(float* x, float* cos, float* sin, int half)
    {
        float* x2p = x + half;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= half - 8; i += 8)
            {
                var x1 = Vector256.Load(x + i);
                var x2 = Vector256.Load(x2p + i);
                var c = Vector256.Load(cos + i);
                var s = Vector256.Load(sin + i);
                (x1 * c - x2 * s).Store(x + i);
                (x1 * s + x2 * c).Store(x2p + i);
            }
        for (; i < half; i++)
        {
            float x1 = x[i], x2 = x2p[i], c = cos[i], s = sin[i];
            x[i] = x1 * c - x2 * s;
            x2p[i] = x1 * s + x2 * c;
        }
    }

    /// <summary>hidden[n] = silu(gate[n]) ⊙ up[n] for rows [start, end), gate and up the halves of the fused (N, 2I) rows.</summary>
    public static void SwiGlu(float* hidden, float* gateUp, int start, int end, int intermediate)
    {
        for (int n = start; n < end; n++)
        {
            float* g = gateUp + (long)n * 2 * intermediate, u = g + intermediate, h = hidden + (long)n * intermediate;
            int i = 0;
            // σ(g)·g·u in that order, as Layers.SwiGlu computes it (σ, then ·g, then ·u).
            if (SimdPath.Is512)
                for (; i <= intermediate - 16; i += 16)
                {
                    var gv = Vector512.Load(g + i);
                    var sigma = Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-gv));
                    (sigma * gv * Vector512.Load(u + i)).Store(h + i);
                }
            else
                for (; i <= intermediate - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = Vector.Load(g + i);
                    var sigma = Vector<float>.One / (Vector<float>.One + FastMath.Exp(-gv));
                    (sigma * gv * Vector.Load(u + i)).Store(h + i);
                }
            for (; i < intermediate; i++) h[i] = 1f / (1f + MathF.Exp(-g[i])) * g[i] * u[i];
        }
    }
}
