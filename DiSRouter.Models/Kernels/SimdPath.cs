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
/// <see cref="ForceVariable"/> forces any of the three, wider ones included (emulated: for tests).
/// WHY one place: where <c>Vector512</c> is not accelerated the runtime emulates it in software, several times slower than
/// scalar code; every kernel branches on these flags (static readonly, so the JIT folds the branch away).
/// Summation order follows the width, so results agree across paths to rounding, not bit for bit.
/// </summary>
public static class SimdPath
{
    /// <summary>
    /// The environment variable that forces a path: <c>512</c>, <c>256</c> or <c>128</c>. WHY: the runtime's switches only
    /// narrow the path, so without it the 512-bit kernels and the GEMM driver's 32-wide panels and 8-row tiles could only
    /// be tested on an AVX-512 machine. Forced wider than the hardware, the vectors are emulated by the runtime in software:
    /// the engine's own kernels give the same results, many times slower (for tests, never for use). The reductions taken
    /// from <c>TensorPrimitives</c> keep the width the hardware accelerates, so training on a forced path is not bit for bit
    /// training on a machine of that width (docs/pool.md).
    /// </summary>
    public const string ForceVariable = "DISROUTER_SIMD_PATH";

    /// <summary>The path the hardware accelerates: 512, 256 or 128.</summary>
    public static readonly int HardwareWidth =
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256
        : 128;

    /// <summary>512, 256 or 128 (the 128-bit path is also the floor: scalar code where not even Vector128 is accelerated).</summary>
    public static readonly int Width = Choose(Environment.GetEnvironmentVariable(ForceVariable), HardwareWidth);

    /// <summary>Whether <see cref="ForceVariable"/> chose a path other than the hardware's.</summary>
    public static bool Forced => Width != HardwareWidth;

    /// <summary>The path for a <see cref="ForceVariable"/> value (null or empty: the hardware's).</summary>
    internal static int Choose(string? forced, int hardware) => forced?.Trim() switch
    {
        null or "" => hardware,
        "512" => 512,
        "256" => 256,
        "128" => 128,
        _ => throw new InvalidOperationException($"{ForceVariable}='{forced}' is not a SIMD path: set 512, 256 or 128, or leave it unset for the hardware's ({hardware})."),
    };

    /// <summary>The 512-bit path (AVX-512).</summary>
    public static readonly bool Is512 = Width == 512;

    /// <summary>The 256-bit path (AVX2 + FMA).</summary>
    public static readonly bool Is256 = Width == 256;

    /// <summary>Whether the 128-bit path has a fused multiply-add (ARM64 always; x64 only with FMA, which the runtime turns off with AVX2).</summary>
    public static readonly bool Fused = Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>e.g. "256-bit (AVX2+FMA)"; a forced path says so, and whether its vectors are emulated.</summary>
    public static string Describe() => (Width switch
    {
        512 => "512-bit (AVX-512)",
        256 => "256-bit (AVX2+FMA)",
        _ => Vector128.IsHardwareAccelerated
            ? $"128-bit ({(AdvSimd.IsSupported ? "AdvSimd" : "SSE")}{(Fused ? "+FMA" : ", no FMA")})"
            : "scalar (no vector acceleration)",
    }) + (Forced ? $", forced by {ForceVariable}{(Width > HardwareWidth ? " (emulated in software: for tests only)" : "")}" : "");

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
