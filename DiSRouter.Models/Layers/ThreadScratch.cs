using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DiSRouter.Models.Layers;

/// <summary>
/// A per-thread pinned buffer for temporaries inside a parallel body (an attention gradient block, a row of
/// products). It grows to the largest request and is then reused, so hot loops allocate nothing.
/// </summary>
internal static unsafe class ThreadScratch
{
    [ThreadStatic] private static float[]? _buffer;

    /// <summary>At least <paramref name="floats"/> floats, 64-byte aligned, valid until this thread asks again.</summary>
    public static float* Get(int floats)
    {
        var buf = _buffer;
        if (buf is null || buf.Length < floats + 16)
        {
            buf = GC.AllocateUninitializedArray<float>(Math.Max(floats + 16, 4096), pinned: true);
            _buffer = buf;
        }
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buf));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
