using System.Globalization;
using System.Runtime.InteropServices;
using DiSRouter.AppHost.Hosting;

namespace DiSRouter.AppHost.Jobs;

/// <summary><c>job run NAME</c> (one job in the foreground, its exit code ours) and <c>job list</c>.</summary>
internal static class JobCommand
{
    public const int BadInput = 2;

    public const string Usage = """
        Usage: dotnet run --project DiSRouter.AppHost -- job run NAME [--config FILE]
               dotnet run --project DiSRouter.AppHost -- job list [--config FILE]

          run NAME        run one job now, in the foreground: its stages in order, then publish (see docs/jobs.md)
          list            the jobs, their stages and schedules, next fire times and last outcomes
          --config FILE   a JSON file layered over appsettings.json (its Jobs replace the configured ones)

        Exit codes of `job run`: 0 published, 2 bad command line or configuration, a failed stage's own code,
        1 checkpoint refused, 75 the job is already running, 130 cancelled (Ctrl+C, SIGTERM).
        """;

    /// <summary>Ctrl+C and SIGTERM cancel the job: its stage is stopped and nothing is published.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        return await RunAsync(args, cancel.Token);
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        string? verb = null, name = null, config = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    ConsoleOutput.Plain(Usage);
                    return 0;
                case "--config" when i + 1 < args.Count:
                    config = args[++i];
                    break;
                case var a when a.StartsWith("--config=", StringComparison.Ordinal):
                    config = a["--config=".Length..];
                    break;
                case var a when a.StartsWith('-'):
                    return Fail($"Unknown or incomplete option '{a}'.");
                case var a when verb is null:
                    verb = a;
                    break;
                case var a when verb == "run" && name is null:
                    name = a;
                    break;
                default:
                    return Fail($"Unexpected argument '{args[i]}'.");
            }
        }

        IReadOnlyList<PlannedJob> jobs;
        try
        {
            if (verb is not ("run" or "list")) return Fail(verb is null ? "job needs run or list." : $"Unknown job command '{verb}'.");
            if (verb == "run" && name is null) return Fail("job run needs the name of a job.");
            jobs = JobConfiguration.Load(config);
        }
        catch (Exception e) when (e is JobConfigException or Topology.TopologyException or InvalidDataException)
        {
            ConsoleOutput.Error(e.Message);
            return BadInput;
        }

        if (verb == "list") return List(jobs);
        var job = jobs.FirstOrDefault(j => j.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (job is null)
        {
            ConsoleOutput.Error(jobs.Count == 0
                ? $"There is no job named '{name}': no jobs are configured (DiSRouter:Jobs in appsettings.json)."
                : $"There is no job named '{name}'; the jobs are {string.Join(", ", jobs.Select(j => j.Name))}.");
            return BadInput;
        }
        var status = await JobRunner.RunAsync(job, ct);
        if (status is null)
        {
            ConsoleOutput.Error($"Job {job.Name} is already running (another run holds {job.Run}); try again when it has finished.");
            return JobRunner.Busy;
        }
        ConsoleOutput.Info($"job {job.Name} {status.Outcome}; log {status.Log}");
        return status.ExitCode ?? 1;
    }

    private static int List(IReadOnlyList<PlannedJob> jobs)
    {
        if (jobs.Count == 0)
        {
            ConsoleOutput.Plain("No jobs are configured (DiSRouter:Jobs in appsettings.json).");
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
            ConsoleOutput.Plain($"{job.Name,-20} {job.Agent,-10} {string.Join(",", job.Stages.Select(st => st.Name)),-14} {schedule}; {last}");
            var from = job.Base.Length > 0 ? job.Base : job.Output;
            ConsoleOutput.Plain($"{"",-20} {Path.GetRelativePath(ServiceBinaries.RepositoryRoot, from)} → {Path.GetRelativePath(ServiceBinaries.RepositoryRoot, job.Publish)}");
        }
        return 0;
    }

    private static int Fail(string message)
    {
        ConsoleOutput.Error(message + Environment.NewLine + Usage);
        return BadInput;
    }
}
