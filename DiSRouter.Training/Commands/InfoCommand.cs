using System.CommandLine;
using System.Runtime.Intrinsics;
using DiSRouter.Models.Kernels;

namespace DiSRouter.Training.Commands;

/// <summary><c>info</c>: what this machine offers the engine (cores, SIMD width), for bug reports and benchmark notes.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the machine facts the engine depends on.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"cores: {Environment.ProcessorCount}");
            Console.WriteLine($"vector512: {Vector512.IsHardwareAccelerated}, vector256: {Vector256.IsHardwareAccelerated}");
            Console.WriteLine($"engine SIMD path: {SimdPath.Describe()}; instruction sets: {SimdPath.InstructionSets()}");
            Console.WriteLine($"runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
            return 0;
        });
        return command;
    }
}
