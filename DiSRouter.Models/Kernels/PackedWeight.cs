using System.Runtime.InteropServices;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// A weight W (n, k), row-major, as the right operand of C = A·Wᵀ, with its panels packed once the way the packed GEMM
/// path packs B on every call (<see cref="Gemm"/>): block after block in the loop order (NC columns, then KC depth),
/// each block's panels contiguous. WHY: a prompt pass multiplies every weight once by a few dozen rows, and packing
/// plus the parallel hand-off before the product were about as long as the product itself (nano-3's gate/up at 46 rows:
/// ~10 of 23 µs); weights change only between optimizer steps, so the panels are built once per weight snapshot.
/// Products of up to <see cref="Gemm.SmallM"/> rows (decoding) read the same panels on every path of x64
/// (<see cref="PanelGemv"/>, so that generation streams one copy of each weight), <see cref="Raw"/> where it does not apply.
/// </summary>
public sealed unsafe class PackedWeight
{
    private readonly float* _panels;

    public PackedWeight(float[] weight, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (weight.Length < (long)n * k) throw new ArgumentException($"A ({n}, {k}) weight needs {(long)n * k} floats, got {weight.Length}.", nameof(weight));
        (Raw, N, K) = (weight, n, k);
        (Width, KcMax, NcLimit) = Gemm.BlockGeometry(n, k);
        Length = Gemm.PackedLength(n, k, Width, NcLimit);
        _panels = (float*)NativeMemory.AlignedAlloc((nuint)(Length * sizeof(float)), 64);
        GC.AddMemoryPressure(Length * sizeof(float));
        fixed (float* w = weight) Gemm.PackAll(w, k, n, k, Width, KcMax, NcLimit, _panels);
    }

    /// <summary>The weight as given, (n, k) row-major.</summary>
    public float[] Raw { get; }

    public int N { get; }

    public int K { get; }

    internal int Width { get; }

    internal int KcMax { get; }

    internal int NcLimit { get; }

    /// <summary>Floats in the packed panels (zero padding included).</summary>
    internal long Length { get; }

    internal float* Panels => _panels;

    // A constructor that refused its arguments allocated nothing, but its object is still finalized.
    ~PackedWeight()
    {
        if (_panels == null) return;
        NativeMemory.AlignedFree(_panels);
        GC.RemoveMemoryPressure(Length * sizeof(float));
    }
}
