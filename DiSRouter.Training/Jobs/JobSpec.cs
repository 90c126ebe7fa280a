namespace DiSRouter.Training.Jobs;

/// <summary>
/// One training job as written in appsettings.json ("DiSRouter:Jobs"): an agent's self-awareness pipeline, run on
/// demand (<c>job run NAME</c>) and, when it has a Schedule, by the network's scheduler. Paths are taken from the
/// repository root when relative.
/// </summary>
internal sealed class JobSpec
{
    /// <summary>kebab-case, unique: `job run NAME`, and the folder of its logs ("selfaware-nano-3").</summary>
    public string Name { get; set; } = "";

    /// <summary>The agent whose model is trained and whose serving checkpoint is replaced ("agent-3").</summary>
    public string Agent { get; set; } = "";

    /// <summary>The agent's own base checkpoint: it draws the samples and is fine-tuned ("models/nano-pool/nano-3").</summary>
    public string Base { get; set; } = "";

    /// <summary>The run directory: samples, SFT and RL state and outputs; resumable, git-ignored ("runs/selfaware/nano-3").</summary>
    public string Run { get; set; } = "";

    /// <summary>The serving checkpoint the finished job replaces, file by file ("models/nano-selfaware/nano-3").</summary>
    public string Publish { get; set; } = "";

    /// <summary>The stages to run, in pipeline order: a subset of sample, sft, rl, calibrate that includes sft or rl.</summary>
    public List<string> Stages { get; set; } = [];

    /// <summary>Extra command-line options per stage ("sample": "--queries 600"); --model and --out are the job's.</summary>
    public Dictionary<string, string> Arguments { get; set; } = [];

    /// <summary>A Quartz cron expression ("0 0 3 ? * SUN": Sundays at 03:00 local time); empty: on demand only.</summary>
    public string? Schedule { get; set; }

    /// <summary>Where each run's log and status go; default runs/jobs/NAME.</summary>
    public string? Logs { get; set; }
}
