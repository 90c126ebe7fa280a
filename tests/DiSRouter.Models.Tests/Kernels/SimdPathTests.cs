using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Models.Tests.Kernels;

public sealed class SimdPathTests
{
    [Fact]
    public void PathIsTheWidestVectorWidthTheRuntimeAccelerates()
    {
        int expected = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256 : 128;
        Assert.Equal(expected, SimdPath.Width);
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
        else
        {
            Assert.Equal(Vector512.IsHardwareAccelerated, SimdPath.Is512);
        }
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
