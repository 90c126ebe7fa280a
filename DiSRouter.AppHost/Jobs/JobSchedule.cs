using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace DiSRouter.AppHost.Jobs;

/// <summary>
/// Fires each scheduled job (its Quartz cron Schedule, local time) while the network runs, by starting its resource.
/// A fire that finds the job still running is skipped (the job's own lock also refuses a second run); a time missed
/// while the AppHost was down is not made up. Stopping the AppHost stops a running job, which then publishes nothing.
/// </summary>
internal sealed class JobSchedule(IReadOnlyList<(IResource Job, CronExpression Schedule)> jobs, IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(jobs.Select(j => RunAsync(j.Job, j.Schedule, stoppingToken)));

    private async Task RunAsync(IResource job, CronExpression schedule, CancellationToken ct)
    {
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(job);
        while (schedule.GetNextValidTimeAfter(DateTimeOffset.Now) is { } next)
        {
            logger.LogInformation("Scheduled \"{Schedule}\": next run at {Next:yyyy-MM-dd HH:mm zzz}", schedule.CronExpressionString, next);
            try
            {
                await Task.Delay(next - DateTimeOffset.Now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // The orchestrator's start command restarts a running resource (it stops the run and starts afresh), so a
            // fire that finds the job still busy must not reach it: that run goes on and this fire is skipped.
            if (services.GetRequiredService<ResourceNotificationService>().TryGetCurrentState(job.Name, out var current)
                && current.Snapshot.State?.Text is { } state && !KnownResourceStates.TerminalStates.Contains(state) && state != KnownResourceStates.NotStarted)
            {
                logger.LogInformation("Scheduled run skipped: the job is {State} (its current run goes on)", state);
                continue;
            }
            var result = await JobResources.StartAsync(services, job.Name, ct);
            if (!result.Success) logger.LogWarning("Scheduled run not started: {Reason}", result.Message);
        }
    }
}
