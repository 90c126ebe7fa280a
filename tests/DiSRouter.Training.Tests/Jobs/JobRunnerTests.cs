using DiSRouter.Training.Jobs;
using DiSRouter.Models.Checkpoints;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>Jobs whose stages are the real training CLI as child processes, on tiny checkpoints.</summary>
public sealed class JobRunnerTests : IDisposable
{
    private const string TinySample = "--queries 3 --n 2 --max-new-tokens 8";
    private const string TinySft = "--steps 2 --batch 4 --micro-batch 4 --lr 1e-3";
    private const string TinyRl = "--queries 3 --steps 1 --k 2 --prompts-per-step 3 --max-new-tokens 4 --lr 1e-3";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    private PlannedJob Plan(string[] stages, Dictionary<string, string>? arguments = null, string? baseDir = null) =>
        Assert.Single(JobsReader.Plan([new JobSpec
        {
            Name = "selfaware-tiny", Agent = "agent-1",
            Base = baseDir ?? _tiny.Sub("base"), Run = _tiny.Sub("run"), Publish = _tiny.Sub("serving"), Logs = _tiny.Sub("logs"),
            Stages = [.. stages], Arguments = arguments ?? new() { ["sample"] = TinySample, ["sft"] = TinySft, ["rl"] = TinyRl },
        }], [], _tiny.Root));

    // A sample → sft → rl job from a random base over a serving checkpoint of another seed, run once.
    private async Task<(PlannedJob Job, JobStatus Status)> RunTrainingJobAsync()
    {
        _tiny.Save("base", seed: 1);
        _tiny.Save("serving", seed: 5);
        // A random model answers nothing right; these queries give SFT some to answer and some to reject.
        TinyCheckpoints.WriteLadderSamples(_tiny.Sub("run"));
        var job = Plan(["sample", "sft", "rl"]);
        var status = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);
        Assert.NotNull(status);
        return (job, status);
    }

    [Fact]
    public async Task AJobWhoseStagesSucceedPublishesTheLastStagesCheckpoint()
    {
        var (_, status) = await RunTrainingJobAsync();

        Assert.True(status.Outcome == JobOutcome.Published, status.Message + "\n" + File.ReadAllText(status.Log));
        Assert.Equal((0, true), (status.ExitCode, status.Published));
        Assert.Equal(["sample", "sft", "rl"], status.Stages.Select(s => s.Name));
        Assert.All(status.Stages, s => Assert.Equal(0, s.ExitCode));
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(_tiny.Sub("run/rl")), TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
        Assert.Equal("rl", Checkpoint.Load(_tiny.Sub("serving")).Metadata["stage"]);

        var log = File.ReadAllText(status.Log);
        Assert.Contains("[sample] sampled", log);
        Assert.Matches(@"\[sft\] sft: \d+ examples, 2 steps", log);
        Assert.Contains("[rl] rl: 1 steps", log);
        var saved = JobStatus.Latest(_tiny.Sub("logs"))!;
        Assert.Equal((JobOutcome.Published, 3), (saved.Outcome, saved.Stages.Count));
    }

    [Fact]
    public async Task ACalibratingJobPublishesTheThresholdsWithTheWeightsTheyWereMadeFor()
    {
        _tiny.Save("base", seed: 1);
        _tiny.Save("serving", seed: 5);
        TinyCheckpoints.WriteLadderSamples(_tiny.Sub("run"));
        var job = Plan(["sample", "sft", "rl", "calibrate"], new()
        {
            ["sample"] = TinySample, ["sft"] = TinySft, ["rl"] = TinyRl,
            ["calibrate"] = "--items-per-family 1 --alphas 0.2,0.8 --max-new-tokens 4 --gamma 0.5",
        });

        var status = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);

        Assert.True(status!.Outcome == JobOutcome.Published, status.Message + "\n" + File.ReadAllText(status.Log));
        Assert.Equal(["sample", "sft", "rl", "calibrate"], status.Stages.Select(s => s.Name));
        TinyCheckpoints.AssertSame(TinyCheckpoints.Snapshot(_tiny.Sub("run/rl")), TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
        var thresholds = DecisionThresholds.TryRead(_tiny.Sub("serving"))!;
        Assert.Equal(WeightsFingerprint.Of(Checkpoint.Load(_tiny.Sub("serving")).Model), thresholds.WeightsSha256);
        Assert.Equal([0.2, 0.8], thresholds.Points.Select(p => p.Alpha));
        Assert.Contains("[calibrate] calibrate rl: 6 validation queries × 2 α", File.ReadAllText(status.Log));
    }

    [Fact]
    public async Task AJobRunAgainWithNothingNewKeepsItsStagesWorkAndPublishesNothing()
    {
        var (job, first) = await RunTrainingJobAsync();
        Assert.True(first.Outcome == JobOutcome.Published, first.Message + "\n" + File.ReadAllText(first.Log));
        var weights = Path.Combine(_tiny.Sub("serving"), Checkpoint.WeightsFileName);
        var written = File.GetLastWriteTimeUtc(weights);
        var served = TinyCheckpoints.Snapshot(_tiny.Sub("serving"));

        var again = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);

        Assert.True(again!.Outcome == JobOutcome.Unchanged, again.Message + "\n" + File.ReadAllText(again.Log));
        Assert.Equal((0, false), (again.ExitCode, again.Published));
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights)); // no new file for the agent to reload
        TinyCheckpoints.AssertSame(served, TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
        var log = File.ReadAllText(again.Log);
        Assert.Contains("already complete with these", log); // SFT and RL kept their output
        Assert.Contains("nothing to publish", log);
    }

    [Fact]
    public async Task AStageThatFailsEndsTheJobAndLeavesTheServingCheckpointByteIdentical()
    {
        _tiny.Save("serving", seed: 5);
        var before = TinyCheckpoints.Snapshot(_tiny.Sub("serving"));
        var job = Plan(["sample", "sft", "rl"], baseDir: _tiny.Sub("no-such-model"));

        var status = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);

        Assert.NotNull(status);
        Assert.Equal((JobOutcome.Failed, 2, false), (status.Outcome, status.ExitCode, status.Published));
        Assert.Equal(2, Assert.Single(status.Stages).ExitCode); // sft and rl never started
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
        var log = File.ReadAllText(status.Log);
        Assert.Contains("no-such-model", log);
        Assert.Contains("the serving checkpoint", log);
        Assert.Equal(JobOutcome.Failed, JobStatus.Latest(_tiny.Sub("logs"))!.Outcome);
    }

    [Fact]
    public async Task AStageThatFailsAfterAnotherSucceededPublishesNothing()
    {
        _tiny.Save("base", seed: 1);
        _tiny.Save("serving", seed: 5);
        var before = TinyCheckpoints.Snapshot(_tiny.Sub("serving"));
        var job = Plan(["sample", "sft"]); // a random model's samples are all wrong: nothing to teach it to answer

        var status = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);

        Assert.NotNull(status);
        Assert.Equal([0, 1], status.Stages.Select(s => s.ExitCode ?? -1));
        Assert.Equal((JobOutcome.Failed, 1, false), (status.Outcome, status.ExitCode, status.Published));
        Assert.Contains("SFT data is empty", File.ReadAllText(status.Log));
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
    }

    [Fact]
    public async Task ACancelledJobStopsItsStageProcessAndPublishesNothing()
    {
        _tiny.Save("base", seed: 1);
        _tiny.Save("serving", seed: 5);
        var before = TinyCheckpoints.Snapshot(_tiny.Sub("serving"));
        var job = Plan(["sample", "sft"], new() { ["sample"] = "--queries 600 --n 8 --max-new-tokens 64" }); // minutes of work
        using var cancel = new CancellationTokenSource();

        var run = JobRunner.RunAsync(job, cancel.Token);
        await WaitForAsync(() => Directory.Exists(job.Logs) && Directory.EnumerateFiles(job.Logs, "*.log").Any(l => Read(l).Contains("sample: start")));
        cancel.Cancel();
        var status = await run.WaitAsync(JobTimeout);

        Assert.NotNull(status);
        Assert.Equal((JobOutcome.Cancelled, JobRunner.Cancelled, false), (status.Outcome, status.ExitCode, status.Published));
        Assert.Equal(130, Assert.Single(status.Stages).ExitCode); // the CLI's own exit on SIGTERM: it stopped, not killed
        Assert.Empty(TinyCheckpoints.ProcessesNaming(job.Run));
        TinyCheckpoints.AssertSame(before, TinyCheckpoints.Snapshot(_tiny.Sub("serving")));
    }

    [Fact]
    public async Task ASecondRunOfAJobWhileOneHoldsItsRunDirectoryIsTurnedAway()
    {
        var job = Plan(["sft"]);
        using var first = JobRunner.TryLock(job.Run);
        Assert.NotNull(first);

        var second = await JobRunner.RunAsync(job, CancellationToken.None).WaitAsync(JobTimeout);

        Assert.Null(second);
        Assert.False(Directory.Exists(job.Logs)); // it wrote nothing
    }

    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(JobTimeout);
        while (!condition()) await Task.Delay(50, deadline.Token);
    }
}
