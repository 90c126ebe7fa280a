using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace DiSRouter.Models.Kernels;

/// <summary>
/// Which vector width the engine's kernels use on this machine, decided once at start-up from what the runtime
/// accelerates (so <c>DOTNET_EnableAVX512F=0</c> or <c>DOTNET_EnableAVX2=0</c> force the narrower paths):
/// <list type="bullet">
/// <item>512: <c>Vector512</c> is hardware-accelerated (AVX-512): 8 × 32 GEMM tiles in zmm registers, Vector512 row kernels.</item>
/// <item>256: <c>Vector256</c> and FMA (AVX2 + FMA): 6 × 16 GEMM tiles (12 of the 16 ymm registers), <c>Vector&lt;float&gt;</c> (8 lanes) row kernels.</item>
/// <item>128: <c>Vector128</c> (SSE4 without FMA once AVX2 is off, or ARM64 AdvSimd): 3 × 16 GEMM tiles, 4-lane row kernels.</item>
/// </list>
/// WHY one place: where <c>Vector512</c> is not accelerated the runtime emulates it in software, several times slower than
/// scalar code; every kernel branches on these flags (static readonly, so the JIT folds the branch away).
/// Summation order follows the width, so results agree across paths to rounding, not bit for bit.
/// </summary>
public static class SimdPath
{
    /// <summary>512, 256 or 128 (the 128-bit path is also the floor: scalar code where not even Vector128 is accelerated).</summary>
    public static readonly int Width =
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256
        : 128;

    /// <summary>The 512-bit path (AVX-512).</summary>
    public static readonly bool Is512 = Width == 512;

    /// <summary>The 256-bit path (AVX2 + FMA).</summary>
    public static readonly bool Is256 = Width == 256;

    /// <summary>Whether the 128-bit path has a fused multiply-add (ARM64 always; x64 only with FMA, which the runtime turns off with AVX2).</summary>
    public static readonly bool Fused = Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>e.g. "256-bit (AVX2+FMA)".</summary>
    public static string Describe() => Width switch
    {
        512 => "512-bit (AVX-512)",
        256 => "256-bit (AVX2+FMA)",
        _ => Vector128.IsHardwareAccelerated
            ? $"128-bit ({(AdvSimd.IsSupported ? "AdvSimd" : "SSE")}{(Fused ? "+FMA" : ", no FMA")})"
            : "scalar (no vector acceleration)",
    };

    /// <summary>The instruction sets the runtime reports as supported (after any DOTNET_Enable… switches), e.g. "SSE4.2 AVX AVX2 FMA".</summary>
    public static string InstructionSets()
    {
        var sets = new List<string>();
        void Add(bool supported, string name) { if (supported) sets.Add(name); }
        Add(Sse2.IsSupported, "SSE2");
        Add(Sse41.IsSupported, "SSE4.1");
        Add(Sse42.IsSupported, "SSE4.2");
        Add(Avx.IsSupported, "AVX");
        Add(Avx2.IsSupported, "AVX2");
        Add(Fma.IsSupported, "FMA");
        Add(Avx512F.IsSupported, "AVX-512F");
        Add(Avx512BW.IsSupported, "AVX-512BW");
        Add(AdvSimd.IsSupported, "AdvSimd");
        return sets.Count == 0 ? "none" : string.Join(' ', sets);
    }

    /// <summary>One line for benchmarks and logs: path, Vector&lt;float&gt; lanes and instruction sets.</summary>
    public static string Summary() =>
        $"SIMD path {Describe()}; Vector512/256/128 accelerated: {Vector512.IsHardwareAccelerated}/{Vector256.IsHardwareAccelerated}/{Vector128.IsHardwareAccelerated}; " +
        $"Vector<float> lanes: {Vector<float>.Count}; instruction sets: {InstructionSets()}";
}
