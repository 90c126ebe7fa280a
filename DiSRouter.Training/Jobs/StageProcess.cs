using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// One stage of a job: this training CLI again, as a child process,
/// every line it writes handed to the job's log, its exit code returned. Cancelled, it gets SIGTERM (the CLI then saves
/// its progress and exits 130, as on Ctrl+C; SIGINT is not used because a process started from a shell's background job
/// inherits it ignored) and, after a grace period, a kill of its whole process tree: no stage outlives its job.
/// </summary>
internal static partial class StageProcess
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, Action<string> line, CancellationToken ct)
    {
        // This CLI's own dll through the dotnet host, whoever started us (the CLI itself, the AppHost, a test host).
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(StageProcess).Assembly.Location);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) line(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) line(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
        }
        // Without a timeout this also waits for the last lines of output.
        process.WaitForExit();
        return process.ExitCode;
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!OperatingSystem.IsWindows() && Kill(process.Id, SIGTERM) == 0)
            {
                using var grace = new CancellationTokenSource(StopGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                    return;
                }
                catch (OperationCanceledException)
                {
                }
            }
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // already exited and reaped
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    private const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
