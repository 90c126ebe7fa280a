using System.Text.Json.Nodes;
using DiSRouter.AppHost.Tests.Infrastructure;

namespace DiSRouter.AppHost.Tests.Jobs;

/// <summary>`job run` and `job list` through the real AppHost binary.</summary>
public sealed class JobCommandTests : IDisposable
{
    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    private TopologyFile Config(params JsonObject[] jobs) => Config(_tiny.Sub("base"), jobs);

    private static TopologyFile Config(string checkpoint, params JsonObject[] jobs) => new(new JsonObject
    {
        ["Agents"] = new JsonArray(new JsonObject { ["Name"] = "agent-1", ["Cost"] = 0.1, ["Backend"] = "local", ["Checkpoint"] = checkpoint }),
        ["Jobs"] = new JsonArray(jobs),
    });

    private JsonObject Job(string name, string? schedule = null, string? baseDir = null) => new()
    {
        ["Name"] = name, ["Agent"] = "agent-1", ["Base"] = baseDir ?? _tiny.Sub("base"), ["Run"] = _tiny.Sub("run-" + name),
        ["Publish"] = _tiny.Sub("serving-" + name), ["Logs"] = _tiny.Sub("logs-" + name), ["Stages"] = new JsonArray("sample", "sft"),
        ["Schedule"] = schedule,
    };

    private static async Task<(int Rc, string Output)> AppHost(params string[] args)
    {
        await using var process = AppHostProcess.Start(args);
        var rc = await process.WaitForExitAsync(TestDotnet.Start);
        return (rc, process.Output);
    }

    [Fact]
    public async Task RunningAnUnknownJobExitsWith2AndNamesTheJobsThereAre()
    {
        using var config = Config(Job("selfaware-a"), Job("selfaware-b"));

        var (rc, output) = await AppHost("job", "run", "nope", "--config", config.Path);

        Assert.Equal(2, rc);
        Assert.Contains("There is no job named 'nope'; the jobs are selfaware-a, selfaware-b.", output);
    }

    [Fact]
    public async Task RunningAJobStreamsItsStagesWithAPrefixAndExitsWithTheFailedStagesCode()
    {
        using var config = Config(_tiny.Sub("no-such-model"), Job("selfaware-a", baseDir: _tiny.Sub("no-such-model")));

        var (rc, output) = await AppHost("job", "run", "selfaware-a", "--config", config.Path);

        Assert.Equal(2, rc); // the sample stage's exit code for a missing --model
        Assert.Contains("[selfaware-a/sample] $ DiSRouter.Training sample --model " + _tiny.Sub("no-such-model"), output);
        Assert.Contains("[selfaware-a/job] failed: sample failed with exit code 2", output);
        Assert.Single(Directory.GetFiles(_tiny.Sub("logs-selfaware-a"), "*.log"));
        Assert.Single(Directory.GetFiles(_tiny.Sub("logs-selfaware-a"), "*.json"));
    }

    [Fact]
    public async Task SigtermStopsAJobRunInTheForegroundWithItsStageAndExits130()
    {
        _tiny.Save("base", seed: 1);
        var job = Job("selfaware-a");
        job["Arguments"] = new JsonObject { ["sample"] = "--queries 600 --n 8 --max-new-tokens 64" }; // minutes of work
        using var config = Config(job);
        await using var sut = AppHostProcess.Start(["job", "run", "selfaware-a", "--config", config.Path]);
        await sut.WaitForLineAsync(@"^\[selfaware-a/sample\] .*sample: start", TestDotnet.Start);

        Assert.Equal(130, await sut.TerminateAsync(TestDotnet.Stop));

        Assert.Empty(TinyCheckpoints.ProcessesNaming(_tiny.Sub("run-selfaware-a")));
        Assert.Contains("[selfaware-a/job] cancelled: cancelled during sample", sut.Output);
        Assert.False(Directory.Exists(_tiny.Sub("serving-selfaware-a")));
    }

    [Fact]
    public async Task ListShowsEachJobsScheduleAndNextFireTime()
    {
        using var config = Config(Job("selfaware-a"), Job("selfaware-b", schedule: "0 0 3 ? * SUN"));

        var (rc, output) = await AppHost("job", "list", "--config", config.Path);

        Assert.Equal(0, rc);
        Assert.Matches(@"selfaware-a\s+agent-1\s+sample,sft\s+on demand; never run", output);
        Assert.Matches(@"selfaware-b\s+agent-1\s+sample,sft\s+""0 0 3 \? \* SUN"", next \d{4}-\d\d-\d\d 03:00", output);
    }

    [Fact]
    public async Task ABadScheduleIsAClearErrorForTheCommandsAndForTheNetwork()
    {
        _tiny.Save("base", seed: 1);
        using var config = Config(Job("selfaware-a", schedule: "0 0 3 * * SUN"));

        var (listRc, listOutput) = await AppHost("job", "list", "--config", config.Path);
        var (launchRc, launchOutput) = await AppHost("--config", config.Path, "--gateway-port", "0");

        Assert.Equal((2, 2), (listRc, launchRc));
        foreach (var output in new[] { listOutput, launchOutput })
            Assert.Contains("DiSRouter:Jobs:0 ('selfaware-a'): Schedule '0 0 3 * * SUN' is not a Quartz cron expression", output);
        Assert.DoesNotContain("starting at", launchOutput); // nothing was launched
    }
}
