using TorchSharp;

namespace DiSRouter.Models.Torch;

/// <summary>
/// Where the TorchSharp backend runs: CUDA when libtorch sees a GPU, else the CPU; bf16 on a GPU that has it.
/// Also turns libtorch's first-load failure into a message that says what to do.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the cause when libtorch cannot load.</summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } e)
            throw new InvalidOperationException(
                "TorchSharp's native library did not load. On a libstdc++ older than GCC 13 (Debian 12) run " +
                "scripts/torchsharp-native-fix.sh on the restored TorchSharp runtimes folder (building DiSRouter.Models.Torch does it); " +
                "check with ldd on libLibTorchSharp.so. Cause: " + e.Message, e);
    }

    /// <summary>"cuda", "cpu" or "auto"/null (CUDA when available).</summary>
    public static torch.Device Device(string? name = null)
    {
        EnsureLoaded();
        return (name ?? "auto").ToLowerInvariant() switch
        {
            "auto" => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
            "cpu" => torch.CPU,
            "cuda" when torch.cuda.is_available() => torch.CUDA,
            "cuda" => throw new InvalidOperationException("--device cuda was asked for, but libtorch sees no CUDA device (this build references the CPU libtorch unless built with -p:TorchRuntime=cuda)."),
            var other => throw new ArgumentException($"Unknown device '{other}': use cpu, cuda or auto."),
        };
    }

    /// <summary>The compute type for a device: bf16 on CUDA (Ampere and later run it at full speed), float32 on the CPU.</summary>
    public static torch.ScalarType ComputeType(torch.Device device) =>
        device.type == DeviceType.CUDA ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32;

    /// <summary>
    /// Whether serving keeps the weights in bf16 on <paramref name="device"/> and computes in it: on CUDA (bf16 at full
    /// speed from Ampere on), and on a CPU with native bf16 arithmetic (AVX-512 BF16 or AMX); elsewhere, an AVX2 CPU like
    /// ours, libtorch emulates bf16 matrix products several times slower than float32, so the weights are float32 there.
    /// </summary>
    public static bool ServesInBf16(torch.Device device) =>
        device.type == DeviceType.CUDA || (device.type == DeviceType.CPU && CpuHasBf16.Value);

    private static readonly Lazy<bool> CpuHasBf16 = new(() =>
    {
        try
        {
            // The flags line of /proc/cpuinfo (Linux); elsewhere no flag is read and float32 is kept, the safe choice.
            var flags = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) : null;
            return flags is not null && flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(f => f is "avx512_bf16" or "amx_bf16");
        }
        catch (IOException)
        {
            return false;
        }
    });

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }
}
