using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

public sealed class SimdPathTests
{
    private static readonly string? Forced = Environment.GetEnvironmentVariable(SimdPath.ForceVariable);

    [Fact]
    public void PathIsTheWidestVectorWidthTheRuntimeAcceleratesUnlessForced()
    {
        int hardware = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256 : 128;
        Assert.Equal(hardware, SimdPath.HardwareWidth);
        int expected = string.IsNullOrEmpty(Forced) ? hardware : int.Parse(Forced, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, SimdPath.Width);
        Assert.Equal(expected != hardware, SimdPath.Forced);
        Assert.Equal(expected == 512, SimdPath.Is512);
        Assert.Equal(expected == 256, SimdPath.Is256);
        Assert.Contains($"{expected}-bit", SimdPath.Describe(), StringComparison.Ordinal);
    }

    // CI runs this project again with DOTNET_EnableAVX2=0 (and DOTNET_EnableAVX512F=0 on AVX-512 machines): this test is
    // what proves that those runs exercised the narrower kernels rather than the default ones.
    [Fact]
    public void RuntimeSwitchesForceTheNarrowerPaths()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.Equal(128, SimdPath.Width);
            Assert.DoesNotContain("AVX2", SimdPath.InstructionSets().Split(' '));
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") == "0")
        {
            Assert.NotEqual(512, SimdPath.Width);
            Assert.DoesNotContain("AVX-512F", SimdPath.InstructionSets().Split(' '));
        }
        else if (string.IsNullOrEmpty(Forced))
        {
            Assert.Equal(Vector512.IsHardwareAccelerated, SimdPath.Is512);
        }
    }

    // CI runs this project's kernel, layer and training tests again with DISROUTER_SIMD_PATH=512 on machines without
    // AVX-512 (Vector512 emulated by the runtime): this proves that run took the 512-bit kernels and the GEMM driver's
    // 32-wide panels and 8-row tiles, which the hardware switches alone could only reach on an AVX-512 machine.
    [Fact]
    public void ForcingThe512BitPathGivesItsTilesEvenWithoutTheHardware()
    {
        if (Forced != "512") return;
        Assert.True(SimdPath.Is512);
        Assert.Equal(GemmMicroKernels.MR, Gemm.Rows);
        Assert.Equal(GemmMicroKernels.NR, Gemm.BlockGeometry(100, 64).Width);
        Assert.Equal(GemmMicroKernels.NR16, Gemm.BlockGeometry(16, 64).Width);
        Assert.Contains("512-bit", SimdPath.Describe(), StringComparison.Ordinal);
        if (!Vector512.IsHardwareAccelerated) Assert.Contains("emulated", SimdPath.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 256, 256)]
    [InlineData("", 512, 512)]
    [InlineData("512", 256, 512)]
    [InlineData(" 128 ", 512, 128)]
    [InlineData("256", 128, 256)]
    public void ForceVariableChoosesThePath(string? value, int hardware, int expected)
        => Assert.Equal(expected, SimdPath.Choose(value, hardware));

    [Theory]
    [InlineData("avx2")]
    [InlineData("1024")]
    [InlineData("64")]
    public void ForceVariableRejectsAnythingButAPathWidthWithAReason(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SimdPath.Choose(value, 256));
        Assert.Contains(SimdPath.ForceVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains("512, 256 or 128", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GemmTileRowsFollowThePath()
    {
        int expected = SimdPath.Width switch { 512 => GemmMicroKernels.MR, 256 => GemmMicroKernels.MR256, _ => GemmMicroKernels.MR128 };
        Assert.Equal(expected, Gemm.Rows);
        // Panels are 32 wide only where a 512-bit register holds 16 of their floats.
        Assert.Equal(SimdPath.Is512 ? GemmMicroKernels.NR : GemmMicroKernels.NR16, Gemm.BlockGeometry(100, 64).Width);
    }
}
