using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DiSRouter.Training.Tests.Jobs;

/// <summary>`job run` and `job list` through the real training CLI, in its own process, as the AppHost's job resources run it.</summary>
public sealed class JobCommandTests : IDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(2);

    private readonly TinyCheckpoints _tiny = new();

    public void Dispose() => _tiny.Dispose();

    /// <summary>An AppHost settings file (its "DiSRouter" section: one local agent and these jobs) in the tiny folder.</summary>
    private string Config(params JsonObject[] jobs) => Config(_tiny.Sub("base"), jobs);

    private string Config(string checkpoint, params JsonObject[] jobs)
    {
        var path = Path.Combine(_tiny.Root, $"settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["DiSRouter"] = new JsonObject
            {
                ["Agents"] = new JsonArray(new JsonObject { ["Name"] = "agent-1", ["Cost"] = 0.1, ["Backend"] = "local", ["Checkpoint"] = checkpoint }),
                ["Jobs"] = new JsonArray(jobs),
            },
        }.ToJsonString());
        return path;
    }

    private JsonObject Job(string name, string? schedule = null, string? baseDir = null) => new()
    {
        ["Name"] = name, ["Agent"] = "agent-1", ["Base"] = baseDir ?? _tiny.Sub("base"), ["Run"] = _tiny.Sub("run-" + name),
        ["Publish"] = _tiny.Sub("serving-" + name), ["Logs"] = _tiny.Sub("logs-" + name), ["Stages"] = new JsonArray("sample", "sft"),
        ["Schedule"] = schedule,
    };

    private static async Task<(int Rc, string Output)> Cli(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DiSRouter.Training.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CliTimeout);
        return (process.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task RunningAnUnknownJobExitsWith2AndNamesTheJobsThereAre()
    {
        var config = Config(Job("selfaware-a"), Job("selfaware-b"));

        var (rc, output) = await Cli("job", "run", "nope", "--settings", config);

        Assert.Equal(2, rc);
        Assert.Contains("There is no job named 'nope'; the jobs are selfaware-a, selfaware-b.", output);
    }

    [Fact]
    public async Task RunningAJobStreamsItsStagesWithAPrefixAndExitsWithTheFailedStagesCode()
    {
        var config = Config(_tiny.Sub("no-such-model"), Job("selfaware-a", baseDir: _tiny.Sub("no-such-model")));

        var (rc, output) = await Cli("job", "run", "selfaware-a", "--settings", config);

        Assert.Equal(2, rc); // the sample stage's exit code for a missing --model
        Assert.Contains("[selfaware-a/sample] $ DiSRouter.Training sample --model " + _tiny.Sub("no-such-model"), output);
        Assert.Contains("[selfaware-a/job] failed: sample failed with exit code 2", output);
        Assert.Single(Directory.GetFiles(_tiny.Sub("logs-selfaware-a"), "*.log"));
        Assert.Single(Directory.GetFiles(_tiny.Sub("logs-selfaware-a"), "*.json"));
    }

    [Fact]
    public async Task ListShowsEachJobsScheduleAndNextFireTime()
    {
        var config = Config(Job("selfaware-a"), Job("selfaware-b", schedule: "0 0 3 ? * SUN"));

        var (rc, output) = await Cli("job", "list", "--settings", config);

        Assert.Equal(0, rc);
        Assert.Matches(@"selfaware-a\s+agent-1\s+sample,sft\s+on demand; never run", output);
        Assert.Matches(@"selfaware-b\s+agent-1\s+sample,sft\s+""0 0 3 \? \* SUN"", next \d{4}-\d\d-\d\d 03:00", output);
    }

    [Fact]
    public async Task ABadScheduleIsAClearError()
    {
        var config = Config(Job("selfaware-a", schedule: "0 0 3 * * SUN"));

        var (rc, output) = await Cli("job", "list", "--settings", config);

        Assert.Equal(2, rc);
        Assert.Contains("DiSRouter:Jobs:0 ('selfaware-a'): Schedule '0 0 3 * * SUN' is not a Quartz cron expression", output);
    }
}
