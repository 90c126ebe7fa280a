using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace DiSRouter.Training.Jobs;

/// <summary>
/// <c>job run NAME</c> (one job in the foreground, its exit code ours; also what the AppHost's job resources run) and
/// <c>job list</c>, and <c>job publish</c> (the publish a job ends with, by hand). The jobs are configured in the AppHost's appsettings.json (docs/jobs.md).
/// </summary>
internal static class JobCommand
{
    public const int BadInput = 2;

    public static Command Create()
    {
        var settings = new Option<string?>("--settings") { Description = $"The AppHost's settings file (default: {JobConfiguration.SettingsFile} of the checkout around the working directory)." };
        var config = new Option<string?>("--config") { Description = "A JSON file layered over the settings (its Jobs replace the configured ones), as the AppHost's --config." };
        var name = new Argument<string>("name") { Description = "The job to run (see job list)." };
        var run = new Command("run", "Run one job now, in the foreground: its stages in order, then publish to its agent's serving directory. " +
            "Exit codes: 0 published or unchanged, 2 bad input, a failed stage's own code, 1 checkpoint refused, 75 already running, 130 cancelled.")
        {
            name, settings, config,
        };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(name)!, parse.GetValue(settings), parse.GetValue(config), ct));
        var list = new Command("list", "The jobs, their stages and schedules, next fire times and last outcomes.") { settings, config };
        list.SetAction(parse => List(parse.GetValue(settings), parse.GetValue(config)));
        var from = new Option<string>("--from") { Description = "The checkpoint to publish (config.json, model.safetensors, tokenizer.json, and decision.json if calibrated).", Required = true };
        var to = new Option<string>("--to") { Description = "The serving directory an agent watches (created if missing).", Required = true };
        var publish = new Command("publish", "Publish a checkpoint into a serving directory by hand (a rollback, a checkpoint trained elsewhere): " +
            "the atomic publish a job ends with, after cleaning up any publish that was killed. Exit codes: 0 published, 1 refused or failed (the serving checkpoint unchanged).")
        {
            from, to,
        };
        publish.SetAction(parse => Publish(parse.GetValue(from)!, parse.GetValue(to)!));
        return new Command("job", "Each agent's self-awareness training job: sample → SFT → RL → calibrate, then an atomic publish.") { run, list, publish };
    }

    /// <summary>Ctrl+C and SIGTERM cancel the job (the CLI's token): its stage is stopped and nothing is published.</summary>
    public static async Task<int> RunAsync(string name, string? settings, string? config, CancellationToken ct)
    {
        var (jobs, _) = Load(settings, config);
        if (jobs is null) return BadInput;
        var job = jobs.FirstOrDefault(j => j.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (job is null)
        {
            JobConsole.Error(jobs.Count == 0
                ? $"There is no job named '{name}': no jobs are configured (DiSRouter:Jobs in appsettings.json)."
                : $"There is no job named '{name}'; the jobs are {string.Join(", ", jobs.Select(j => j.Name))}.");
            return BadInput;
        }
        var status = await JobRunner.RunAsync(job, ct);
        if (status is null)
        {
            JobConsole.Error($"Job {job.Name} is already running (another run holds {job.Run}); try again when it has finished.");
            return JobRunner.Busy;
        }
        JobConsole.Info($"job {job.Name} {status.Outcome}; log {status.Log}");
        return status.ExitCode ?? 1;
    }

    /// <summary>
    /// Recovery and publish timed apart: how long cleaning up after a killed publish takes is a figure of
    /// docs/reliability.md (scripts/reliability/publish-kill.sh reads these lines).
    /// </summary>
    private static int Publish(string source, string target)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var leftovers = CheckpointPublisher.Leftovers(target).Count();
            CheckpointPublisher.Recover(target);
            var recovered = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            CheckpointPublisher.Publish(source, target);
            JobConsole.Info(string.Create(CultureInfo.InvariantCulture,
                $"recovered {leftovers} leftover folder(s) in {recovered:0.0} ms; published {source} → {target} in {clock.Elapsed.TotalMilliseconds:0.0} ms"));
            return 0;
        }
        catch (PublishRefusedException e)
        {
            JobConsole.Error(e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            JobConsole.Error($"Publishing {source} into {target} failed, and {target} is unchanged: {e.Message}");
            return 1;
        }
    }

    private static int List(string? settings, string? config)
    {
        var (jobs, root) = Load(settings, config);
        return jobs is null ? BadInput : List(jobs, root);
    }

    private static (IReadOnlyList<PlannedJob>? Jobs, string Root) Load(string? settings, string? config)
    {
        try
        {
            return JobConfiguration.Load(settings, config);
        }
        catch (Exception e) when (e is JobConfigException or InvalidDataException)
        {
            JobConsole.Error(e.Message);
            return (null, "");
        }
    }

    private static int List(IReadOnlyList<PlannedJob> jobs, string root)
    {
        if (jobs.Count == 0)
        {
            JobConsole.Plain("No jobs are configured (DiSRouter:Jobs in appsettings.json).");
            return 0;
        }
        var now = DateTimeOffset.Now;
        foreach (var job in jobs)
        {
            var schedule = job.Schedule is null
                ? "on demand"
                : $"\"{job.Schedule.CronExpressionString}\", next {job.NextFire(now)?.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) ?? "never"}";
            var last = JobStatus.Latest(job.Logs) is { } s
                ? $"last {s.Outcome} {s.Started.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}"
                : "never run";
            JobConsole.Plain($"{job.Name,-20} {job.Agent,-10} {string.Join(",", job.Stages.Select(st => st.Name)),-14} {schedule}; {last}");
            var from = job.Base.Length > 0 ? job.Base : job.Output;
            JobConsole.Plain($"{"",-20} {Path.GetRelativePath(root, from)} → {Path.GetRelativePath(root, job.Publish)}");
        }
        return 0;
    }
}
