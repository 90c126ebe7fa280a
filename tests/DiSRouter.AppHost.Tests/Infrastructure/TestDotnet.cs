using System.Diagnostics;

namespace DiSRouter.AppHost.Tests.Infrastructure;

internal static class TestDotnet
{
    /// <summary>The dotnet host running the tests (set by `dotnet test`), so the AppHost runs on the same runtime.</summary>
    public static string Path => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    public static readonly TimeSpan Start = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Stop = TimeSpan.FromSeconds(30);

    public static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits until none of <paramref name="pids"/> runs any more (a process takes a moment to be reaped).</summary>
    public static async Task AssertAllGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var list = pids.ToList();
        while (list.Any(IsRunning) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(!list.Any(IsRunning), "Still running: " + string.Join(", ", list.Where(IsRunning)));
    }
}
