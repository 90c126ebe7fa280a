using System.Diagnostics;
using System.Globalization;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// Runs one job: its stages in order, each as its own process, then publishes the last stage's checkpoint into the
/// agent's serving directory. A stage that fails or is cancelled ends the run and nothing is published; a checkpoint
/// that does not load is refused. Either way the serving checkpoint is left as it was. One run per run directory at a
/// time, across processes (`job run` beside a running network): a lock file in the run directory.
/// </summary>
internal static class JobRunner
{
    /// <summary>Another run holds the job's run directory (EX_TEMPFAIL: try again later).</summary>
    public const int Busy = 75;
    public const int Cancelled = 130;

    public const string LockFile = ".job.lock";

    public static async Task<JobStatus?> RunAsync(PlannedJob job, CancellationToken ct)
    {
        using var runLock = TryLock(job.Run);
        if (runLock is null) return null;

        Directory.CreateDirectory(job.Logs);
        var started = DateTimeOffset.Now;
        var stamp = Stamp(job.Logs, started);
        using var log = new JobLog(job.Name, Path.Combine(job.Logs, stamp + ".log"));
        var statusPath = Path.Combine(job.Logs, stamp + ".json");
        var status = new JobStatus
        {
            Job = job.Name, Agent = job.Agent, Started = started, Source = job.Output, Target = job.Publish, Log = log.Path,
        };
        var clock = Stopwatch.StartNew();
        log.Line("job", $"training {job.Agent}: {string.Join(" → ", job.Stages.Select(s => s.Name))}, then publish {job.Output} → {job.Publish}");
        try
        {
            if (CheckpointPublisher.HasUnfinished(job.Publish))
                log.Line("job", $"a publish into {job.Publish} was cut off (the process killed): deleting what it left beside it");
            CheckpointPublisher.Recover(job.Publish);
            foreach (var stage in job.Stages)
            {
                if (ct.IsCancellationRequested) { End(status, JobOutcome.Cancelled, Cancelled, $"cancelled before {stage.Name}"); break; }
                var record = new StageStatus { Name = stage.Name, Arguments = stage.Arguments };
                status.Stages.Add(record);
                status.Save(statusPath);
                log.Line(stage.Name, "$ DiSRouter.Training " + string.Join(' ', stage.Arguments));
                var stageClock = Stopwatch.StartNew();
                record.ExitCode = await StageProcess.RunAsync(stage.Arguments, line => log.Line(stage.Name, line), ct);
                record.WallSeconds = stageClock.Elapsed.TotalSeconds;
                log.Line(stage.Name, $"exited with code {record.ExitCode} after {record.WallSeconds:0.0} s");
                if (ct.IsCancellationRequested) { End(status, JobOutcome.Cancelled, Cancelled, $"cancelled during {stage.Name}; its progress is saved in {job.Run}"); break; }
                if (record.ExitCode != 0) { End(status, JobOutcome.Failed, record.ExitCode.Value, $"{stage.Name} failed with exit code {record.ExitCode}"); break; }
            }
            if (status.Outcome == JobOutcome.Running && CheckpointPublisher.AlreadyServes(job.Output, job.Publish))
                End(status, JobOutcome.Unchanged, 0, $"{job.Publish} already holds {job.Output} byte for byte: nothing to publish, the agent keeps serving it");
            else if (status.Outcome == JobOutcome.Running)
            {
                CheckpointPublisher.Publish(job.Output, job.Publish);
                status.Published = true;
                End(status, JobOutcome.Published, 0, $"published {job.Output} → {job.Publish}");
            }
        }
        catch (PublishRefusedException e)
        {
            End(status, JobOutcome.Refused, 1, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            End(status, JobOutcome.Failed, 1, e.Message);
        }
        status.Finished = DateTimeOffset.Now;
        status.WallSeconds = clock.Elapsed.TotalSeconds;
        log.Line("job", $"{status.Outcome}: {status.Message} ({status.WallSeconds:0.0} s; exit code {status.ExitCode})" +
            (status.Published ? "" : $"; the serving checkpoint {job.Publish} is unchanged"));
        status.Save(statusPath);
        return status;
    }

    private static void End(JobStatus status, string outcome, int exitCode, string message)
    {
        status.Outcome = outcome;
        status.ExitCode = exitCode;
        status.Message = message;
    }

    /// <summary>The run directory's lock (an exclusive flock, held while the stream is open); null when another run holds it.</summary>
    internal static FileStream? TryLock(string run)
    {
        Directory.CreateDirectory(run);
        try { return new FileStream(Path.Combine(run, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    /// <summary>A sortable name for the run's files, unique even for two runs started in the same second.</summary>
    private static string Stamp(string logs, DateTimeOffset started)
    {
        var stamp = started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (var n = 2; File.Exists(Path.Combine(logs, stamp + ".log")); n++)
            stamp = started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + n.ToString(CultureInfo.InvariantCulture);
        return stamp;
    }
}
