using System.Collections.Specialized;
using System.Globalization;
using DiSRouter.AppHost.Hosting;
using Microsoft.Extensions.Hosting;
using Quartz;
using Quartz.Impl;

namespace DiSRouter.AppHost.Jobs;

/// <summary>
/// Runs beside the network: fires each scheduled job (its Quartz cron Schedule) in an in-memory Quartz scheduler.
/// A fire that finds the job still running waits or is dropped (<see cref="DisallowConcurrentExecutionAttribute"/>);
/// a time missed while the AppHost was down is not made up. Stopping the AppHost cancels running jobs, which stop
/// their stage processes (SIGTERM, then a kill) and publish nothing.
/// </summary>
internal sealed class JobScheduler(IReadOnlyList<PlannedJob> jobs) : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduled = jobs.Where(j => j.Schedule is not null).ToList();
        if (scheduled.Count == 0) return;
        var properties = new NameValueCollection
        {
            // One scheduler per AppHost (tests start several in one process), threads enough for every job at once.
            ["quartz.scheduler.instanceName"] = "disrouter-jobs-" + Guid.NewGuid().ToString("N"),
            ["quartz.threadPool.maxConcurrency"] = scheduled.Count.ToString(CultureInfo.InvariantCulture),
        };
        _scheduler = await new StdSchedulerFactory(properties).GetScheduler(cancellationToken);
        foreach (var job in scheduled)
        {
            var detail = JobBuilder.Create<ScheduledJob>().WithIdentity(job.Name).Build();
            detail.JobDataMap[ScheduledJob.PlanKey] = job;
            var trigger = TriggerBuilder.Create().WithIdentity(job.Name)
                .WithCronSchedule(job.Schedule!.CronExpressionString, cron => cron.WithMisfireHandlingInstructionDoNothing())
                .Build();
            await _scheduler.ScheduleJob(detail, trigger, cancellationToken);
            ConsoleOutput.Info($"job {job.Name} scheduled \"{job.Schedule.CronExpressionString}\", next at {job.NextFire(DateTimeOffset.Now):yyyy-MM-dd HH:mm zzz}");
        }
        await _scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null) return;
        await _scheduler.Standby(cancellationToken);
        foreach (var running in await _scheduler.GetCurrentlyExecutingJobs(cancellationToken))
            await _scheduler.Interrupt(running.FireInstanceId, cancellationToken);
        await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
    }
}

/// <summary>One scheduled fire of a job: runs it like `job run` does, with Quartz's token for cancellation.</summary>
[DisallowConcurrentExecution]
internal sealed class ScheduledJob : IJob
{
    public const string PlanKey = "plan";

    public async Task Execute(IJobExecutionContext context)
    {
        var job = (PlannedJob)context.MergedJobDataMap[PlanKey];
        ConsoleOutput.Info($"job {job.Name} fired by its schedule");
        var status = await JobRunner.RunAsync(job, context.CancellationToken);
        if (status is null) ConsoleOutput.Info($"job {job.Name} skipped: another run of it holds {job.Run}");
        else ConsoleOutput.Info($"job {job.Name} {status.Outcome} (exit code {status.ExitCode}); log {status.Log}");
    }
}
