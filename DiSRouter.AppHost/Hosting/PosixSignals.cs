using System.Runtime.InteropServices;

namespace DiSRouter.AppHost.Hosting;

/// <summary>SIGTERM lets a service shut down cleanly (flush telemetry, finish requests); Process.Kill would not.</summary>
internal static partial class PosixSignals
{
    private const int SIGTERM = 15;

    /// <summary>False where signals do not exist (Windows) or the process is gone: the caller then kills.</summary>
    public static bool Terminate(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SIGTERM) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
