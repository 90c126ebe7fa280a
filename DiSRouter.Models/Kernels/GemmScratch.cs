using System.Runtime.InteropServices;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// Per-thread, 64-byte aligned scratch memory for packed panels, grown on demand and then reused, so a GEMM
/// allocates nothing in steady state. The holder object's finalizer frees the memory when its thread dies
/// (the [ThreadStatic] reference is the only one).
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? _current;

    private float* _packedB;
    private long _packedBLength;

    public static GemmScratch Current => _current ??= new GemmScratch();

    /// <summary>A buffer of at least <paramref name="length"/> floats; its contents are undefined.</summary>
    public float* PackedB(long length)
    {
        if (length > _packedBLength)
        {
            if (_packedB != null) NativeMemory.AlignedFree(_packedB);
            long grown = Math.Max(length, _packedBLength * 3 / 2);
            _packedB = (float*)NativeMemory.AlignedAlloc((nuint)(grown * sizeof(float)), 64);
            _packedBLength = grown;
        }
        return _packedB;
    }

    ~GemmScratch()
    {
        if (_packedB != null) NativeMemory.AlignedFree(_packedB);
    }
}
