using Quartz;

namespace DiSRouter.Training.Jobs;

/// <summary>One stage as a command line of the training CLI: its verb, the job's --model/--out, then its own options.</summary>
internal sealed record JobStage(string Name, IReadOnlyList<string> Arguments);

/// <summary>A validated job: full paths, the stages' command lines, and its schedule (null: on demand only).</summary>
internal sealed record PlannedJob(
    string Name,
    string Agent,
    string Base,
    string Run,
    string Publish,
    string Logs,
    IReadOnlyList<JobStage> Stages,
    CronExpression? Schedule)
{
    public const string Sample = "sample";
    public const string Sft = "sft";
    public const string Rl = "rl";
    public const string Calibrate = "calibrate";

    /// <summary>The pipeline's order; a job runs a subset of it.</summary>
    public static readonly string[] Pipeline = [Sample, Sft, Rl, Calibrate];

    /// <summary>The checkpoint the job publishes: the RL stage's when it has one, else the SFT stage's.</summary>
    public string Output => Path.Combine(Run, Stages.Any(s => s.Name == Rl) ? Rl : Sft);

    /// <summary>When the scheduler fires it next (local time zone); null for an on-demand job.</summary>
    public DateTimeOffset? NextFire(DateTimeOffset after) => Schedule?.GetNextValidTimeAfter(after);

    /// <summary>The stage's command line: the job decides which model it trains and where its samples live.</summary>
    public static IReadOnlyList<string> CommandLine(string stage, string baseCheckpoint, string run, IEnumerable<string> extra) => stage switch
    {
        Sample or Sft => [stage, "--model", baseCheckpoint, "--out", run, .. extra],
        Rl => [stage, "--out", run, .. extra], // starts from <run>/sft, this run's own SFT checkpoint
        Calibrate => [stage, "--out", run, .. extra], // writes decision.json beside <run>/sft and <run>/rl, published with them
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "not a pipeline stage"),
    };
}
