using System.Diagnostics;
using DiSRouter.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiSRouter.ServiceDefaults.Lifetime;

/// <summary>
/// Stops the service when the process that launched it is gone. The AppHost kills its children on Ctrl+C and
/// SIGTERM, but if the AppHost itself is killed (SIGKILL, a crash) nothing else would: this is what leaves no orphans.
/// </summary>
internal sealed class ParentProcessWatcher(IConfiguration configuration, IHostApplicationLifetime lifetime,
    ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    /// <summary>The environment variable the AppHost sets to its own process id.</summary>
    public const string ParentPidVariable = "DISROUTER_PARENT_PID";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(configuration[ParentPidVariable], out var pid)) return;
        // A parent that already died before we got here is caught by the first check.
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                if (!IsAlive(pid))
                {
                    LogMessages.ParentProcessExited(logger, pid);
                    lifetime.StopApplication();
                    return;
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

internal static class ParentProcessWatcherExtensions
{
    public static IServiceCollection AddParentProcessWatch(this IServiceCollection services) =>
        services.AddHostedService<ParentProcessWatcher>();
}
