using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// Small vector kernels for the forward and backward paths: Vector512 main loops (four independent accumulators
/// where there is a reduction, so the FMA latency is hidden) and scalar tails. Lengths must match; nothing allocates.
/// On the 256- and 128-bit paths (<see cref="SimdPath"/>) the same loops run over <see cref="Vector{T}"/> (8 or 4 lanes).
/// </summary>
public static class Vec
{
    /// <summary>Σ x[i]·y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        SameLength(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0f;
        int lanes = Vector<float>.Count;
        if (!SimdPath.Is512 && n >= lanes)
        {
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i + 4 * lanes <= n; i += 4 * lanes)
            {
                s0 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i), s0);
                s1 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref xr, (nuint)(i + lanes)), Vector.LoadUnsafe(ref yr, (nuint)(i + lanes)), s1);
                s2 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref xr, (nuint)(i + 2 * lanes)), Vector.LoadUnsafe(ref yr, (nuint)(i + 2 * lanes)), s2);
                s3 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref xr, (nuint)(i + 3 * lanes)), Vector.LoadUnsafe(ref yr, (nuint)(i + 3 * lanes)), s3);
            }
            for (; i + lanes <= n; i += lanes)
                s0 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i), s0);
            sum = Vector.Sum((s0 + s1) + (s2 + s3));
        }
        else if (n >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i + 64 <= n; i += 64)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i + 16), Vector512.LoadUnsafe(ref yr, (nuint)i + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i + 32), Vector512.LoadUnsafe(ref yr, (nuint)i + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i + 48), Vector512.LoadUnsafe(ref yr, (nuint)i + 48), s3);
            }
            for (; i + 16 <= n; i += 16)
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), s0);
            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum += Unsafe.Add(ref xr, i) * Unsafe.Add(ref yr, i);
        return sum;
    }

    /// <summary>y += a·x.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        SameLength(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (!SimdPath.Is512)
        {
            var vn = new Vector<float>(a);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                Vector.MultiplyAddEstimate(vn, Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            for (; i < n; i++) Unsafe.Add(ref yr, i) += a * Unsafe.Add(ref xr, i);
            return;
        }
        var va = Vector512.Create(a);
        for (; i + 64 <= n; i += 64)
        {
            // Four independent load-FMA-store chains per iteration keep both load ports busy.
            Vector512<float> y0 = Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i));
            Vector512<float> y1 = Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i + 16), Vector512.LoadUnsafe(ref yr, (nuint)i + 16));
            Vector512<float> y2 = Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i + 32), Vector512.LoadUnsafe(ref yr, (nuint)i + 32));
            Vector512<float> y3 = Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i + 48), Vector512.LoadUnsafe(ref yr, (nuint)i + 48));
            y0.StoreUnsafe(ref yr, (nuint)i);
            y1.StoreUnsafe(ref yr, (nuint)i + 16);
            y2.StoreUnsafe(ref yr, (nuint)i + 32);
            y3.StoreUnsafe(ref yr, (nuint)i + 48);
        }
        for (; i + 16 <= n; i += 16)
            Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref yr, i) += a * Unsafe.Add(ref xr, i);
    }

    /// <summary>x *= a.</summary>
    public static void Scale(Span<float> x, float a)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (!SimdPath.Is512)
        {
            var vn = new Vector<float>(a);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref xr, (nuint)i) * vn).StoreUnsafe(ref xr, (nuint)i);
        }
        var va = Vector512.Create(a);
        for (; i + 16 <= n && SimdPath.Is512; i += 16)
            (Vector512.LoadUnsafe(ref xr, (nuint)i) * va).StoreUnsafe(ref xr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref xr, i) *= a;
    }

    /// <summary>destination = x + y (destination may be x or y).</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        SameLength(x.Length, y.Length);
        SameLength(x.Length, destination.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (!SimdPath.Is512)
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref xr, (nuint)i) + Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i + 16 <= n && SimdPath.Is512; i += 16)
            (Vector512.LoadUnsafe(ref xr, (nuint)i) + Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = Unsafe.Add(ref xr, i) + Unsafe.Add(ref yr, i);
    }

    /// <summary>y += x.</summary>
    public static void AddInPlace(ReadOnlySpan<float> x, Span<float> y) => Add(x, y, y);

    /// <summary>Σ x[i] (0 for an empty span).</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sum = 0f;
        int lanes = Vector<float>.Count;
        if (!SimdPath.Is512 && n >= lanes)
        {
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i + 4 * lanes <= n; i += 4 * lanes)
            {
                s0 += Vector.LoadUnsafe(ref xr, (nuint)i);
                s1 += Vector.LoadUnsafe(ref xr, (nuint)(i + lanes));
                s2 += Vector.LoadUnsafe(ref xr, (nuint)(i + 2 * lanes));
                s3 += Vector.LoadUnsafe(ref xr, (nuint)(i + 3 * lanes));
            }
            for (; i + lanes <= n; i += lanes) s0 += Vector.LoadUnsafe(ref xr, (nuint)i);
            sum = Vector.Sum((s0 + s1) + (s2 + s3));
        }
        else if (n >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i + 64 <= n; i += 64)
            {
                s0 += Vector512.LoadUnsafe(ref xr, (nuint)i);
                s1 += Vector512.LoadUnsafe(ref xr, (nuint)i + 16);
                s2 += Vector512.LoadUnsafe(ref xr, (nuint)i + 32);
                s3 += Vector512.LoadUnsafe(ref xr, (nuint)i + 48);
            }
            for (; i + 16 <= n; i += 16) s0 += Vector512.LoadUnsafe(ref xr, (nuint)i);
            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum += Unsafe.Add(ref xr, i);
        return sum;
    }

    /// <summary>max x[i]; NaN if any element is NaN; throws on an empty span.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span is undefined.", nameof(x));
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float max = float.NegativeInfinity;
        int lanes = Vector<float>.Count;
        if (!SimdPath.Is512 && n >= lanes)
        {
            Vector<float> m0 = Vector.LoadUnsafe(ref xr), m1 = m0;
            for (i = lanes; i + 2 * lanes <= n; i += 2 * lanes)
            {
                m0 = Vector.Max(m0, Vector.LoadUnsafe(ref xr, (nuint)i));
                m1 = Vector.Max(m1, Vector.LoadUnsafe(ref xr, (nuint)(i + lanes)));
            }
            m0 = Vector.Max(m0, m1);
            for (; i + lanes <= n; i += lanes) m0 = Vector.Max(m0, Vector.LoadUnsafe(ref xr, (nuint)i));
            // The last partial vector overlaps elements already seen, which does not change a maximum.
            if (i < n) m0 = Vector.Max(m0, Vector.LoadUnsafe(ref xr, (nuint)(n - lanes)));
            i = n;
            for (int j = 0; j < lanes; j++)
            {
                float e = m0[j];
                if (e > max || float.IsNaN(e)) max = e;
            }
        }
        else if (n >= 16)
        {
            Vector512<float> m0 = Vector512.LoadUnsafe(ref xr), m1 = m0, m2 = m0, m3 = m0;
            for (i = 16; i + 64 <= n; i += 64)
            {
                m0 = Vector512.Max(m0, Vector512.LoadUnsafe(ref xr, (nuint)i));
                m1 = Vector512.Max(m1, Vector512.LoadUnsafe(ref xr, (nuint)i + 16));
                m2 = Vector512.Max(m2, Vector512.LoadUnsafe(ref xr, (nuint)i + 32));
                m3 = Vector512.Max(m3, Vector512.LoadUnsafe(ref xr, (nuint)i + 48));
            }
            m0 = Vector512.Max(Vector512.Max(m0, m1), Vector512.Max(m2, m3));
            for (; i + 16 <= n; i += 16) m0 = Vector512.Max(m0, Vector512.LoadUnsafe(ref xr, (nuint)i));
            // The last partial vector overlaps elements already seen, which does not change a maximum.
            if (i < n) m0 = Vector512.Max(m0, Vector512.LoadUnsafe(ref xr, (nuint)(n - 16)));
            i = n;
            max = HorizontalMax(m0);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i);
            if (v > max || float.IsNaN(v)) max = v;
            if (float.IsNaN(max)) return max;
        }
        return max;
    }

    /// <summary>
    /// x = softmax(x) over the whole span, computed as exp(x − max) / Σ exp(x − max). A row that is all −∞
    /// (every position masked) becomes all zeros rather than NaN.
    /// </summary>
    public static void SoftmaxInPlace(Span<float> x)
    {
        if (x.IsEmpty) return;
        float max = Max(x);
        if (float.IsNegativeInfinity(max))
        {
            x.Clear();
            return;
        }
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sum = 0f;
        var vmax = Vector512.Create(max);
        if (!SimdPath.Is512 && n >= Vector<float>.Count)
        {
            var vn = new Vector<float>(max);
            Vector<float> s0 = default;
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> e = Vector.Exp(Vector.LoadUnsafe(ref xr, (nuint)i) - vn);
                e.StoreUnsafe(ref xr, (nuint)i);
                s0 += e;
            }
            sum = Vector.Sum(s0);
        }
        else if (SimdPath.Is512 && n >= 16)
        {
            Vector512<float> s0 = default;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> e = Vector512.Exp(Vector512.LoadUnsafe(ref xr, (nuint)i) - vmax);
                e.StoreUnsafe(ref xr, (nuint)i);
                s0 += e;
            }
            sum = Vector512.Sum(s0);
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp(Unsafe.Add(ref xr, i) - max);
            Unsafe.Add(ref xr, i) = e;
            sum += e;
        }
        Scale(x, 1f / sum);
    }

    private static float HorizontalMax(Vector512<float> v)
    {
        Vector256<float> h = Vector256.Max(v.GetLower(), v.GetUpper());
        Vector128<float> q = Vector128.Max(h.GetLower(), h.GetUpper());
        float max = q.GetElement(0);
        for (int j = 1; j < 4; j++)
        {
            float e = q.GetElement(j);
            if (e > max || float.IsNaN(e)) max = e;
        }
        return max;
    }

    private static void SameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"Span lengths differ ({a} and {b}).");
    }
}
