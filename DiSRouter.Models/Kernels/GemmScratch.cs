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
    public float* PackedB(long length) => Grow(ref _packedB, ref _packedBLength, length);

    private static float* Grow(ref float* buffer, ref long capacity, long length)
    {
        if (length > capacity)
        {
            if (buffer != null) NativeMemory.AlignedFree(buffer);
            long grown = Math.Max(length, capacity * 3 / 2);
            buffer = (float*)NativeMemory.AlignedAlloc((nuint)(grown * sizeof(float)), 64);
            capacity = grown;
        }
        return buffer;
    }

    ~GemmScratch()
    {
        if (_packedB != null) NativeMemory.AlignedFree(_packedB);
    }
}
