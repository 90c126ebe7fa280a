using DiSRouter.Training.Jobs;
using Microsoft.Extensions.Configuration;

namespace DiSRouter.Training.Tests.Jobs;

public sealed class JobsReaderTests
{
    private const string Root = "/repo";

    private static readonly TopologyAgent[] Agents =
    [
        new() { Name = "agent-2", Checkpoint = "models/nano-pool/nano-2" },
        new() { Name = "agent-3", Checkpoint = "models/nano-pool/nano-3" },
        new() { Name = "agent-9", Backend = "hosted" },
    ];

    private static JobSpec Job(string name = "selfaware-nano-3", string agent = "agent-3", int k = 3) => new()
    {
        Name = name, Agent = agent, Base = $"models/nano-pool/nano-{k}", Run = $"runs/selfaware/nano-{k}", Publish = $"models/nano-selfaware/nano-{k}",
    };

    private static JobConfigException Errors(params JobSpec[] jobs) =>
        Assert.Throws<JobConfigException>(() => JobsReader.Plan(jobs, Agents, Root));

    [Fact]
    public void ShippedAppSettingsHaveOneOnDemandJobPerAgent()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(ShippedSettings()).Build();

        var sut = JobsReader.Read(configuration, null, TopologyAgent.Read(configuration, null), Root);

        Assert.Equal(Enumerable.Range(1, 5).Select(k => $"selfaware-nano-{k}"), sut.Select(j => j.Name));
        Assert.All(sut, j => Assert.Null(j.Schedule));
        Assert.All(sut, j => Assert.Equal(["sample", "sft", "rl", "calibrate"], j.Stages.Select(s => s.Name)));
        Assert.Equal("/repo/models/nano-selfaware/nano-3", sut[2].Publish);
        Assert.Equal("/repo/runs/selfaware/nano-3/rl", sut[2].Output);
        Assert.Equal("/repo/runs/jobs/selfaware-nano-3", sut[2].Logs);
    }

    [Fact]
    public void EachStageGetsTheJobsOwnModelAndRunThenItsOwnArguments()
    {
        var spec = Job();
        spec.Arguments = new() { ["sample"] = "--queries 3 --families \"arith, logic\"", ["rl"] = "--steps 2" };

        var sut = Assert.Single(JobsReader.Plan([spec], Agents, Root));

        Assert.Equal(["sample", "--model", "/repo/models/nano-pool/nano-3", "--out", "/repo/runs/selfaware/nano-3", "--queries", "3", "--families", "arith, logic"], sut.Stages[0].Arguments);
        Assert.Equal(["sft", "--model", "/repo/models/nano-pool/nano-3", "--out", "/repo/runs/selfaware/nano-3"], sut.Stages[1].Arguments);
        Assert.Equal(["rl", "--out", "/repo/runs/selfaware/nano-3", "--steps", "2"], sut.Stages[2].Arguments);
    }

    [Fact]
    public void WithoutRlTheSftCheckpointIsPublished()
    {
        var spec = Job();
        spec.Stages = ["sample", "sft"];

        var sut = Assert.Single(JobsReader.Plan([spec], Agents, Root));

        Assert.Equal("/repo/runs/selfaware/nano-3/sft", sut.Output);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AMissingOrEmptyScheduleMeansOnDemandOnly(string? schedule)
    {
        var spec = Job();
        spec.Schedule = schedule;

        var sut = Assert.Single(JobsReader.Plan([spec], Agents, Root));

        Assert.Null(sut.Schedule);
        Assert.Null(sut.NextFire(DateTimeOffset.Now));
    }

    [Fact]
    public void AQuartzCronScheduleGivesTheNextFireTime()
    {
        var spec = Job();
        spec.Schedule = "0 0 3 ? * SUN";

        var sut = Assert.Single(JobsReader.Plan([spec], Agents, Root));

        var saturday = new DateTimeOffset(new DateTime(2025, 6, 7, 12, 0, 0, DateTimeKind.Local));
        var next = sut.NextFire(saturday)!.Value.ToLocalTime();
        Assert.Equal((DayOfWeek.Sunday, 8, 3, 0), (next.DayOfWeek, next.Day, next.Hour, next.Minute));
    }

    [Theory]
    [InlineData("0 0 3 * * SUN")]   // day-of-month and day-of-week both given
    [InlineData("every sunday")]
    [InlineData("0 0 25 ? * *")]     // hour 25
    public void ABadScheduleNamesTheJobTheExpressionAndTheFormat(string schedule)
    {
        var spec = Job();
        spec.Schedule = schedule;

        var error = Assert.Single(Errors(spec).Errors);

        Assert.Contains("('selfaware-nano-3')", error);
        Assert.Contains($"Schedule '{schedule}' is not a Quartz cron expression", error);
        Assert.Contains("seconds minutes hours day-of-month month day-of-week", error);
    }

    [Fact]
    public void EveryMistakeIsReportedAtOnce()
    {
        var bad = new JobSpec { Name = "Bad Name", Agent = "agent-7", Stages = ["rl", "sample", "tune"], Arguments = new() { ["sft"] = "--model elsewhere", ["eval"] = "" } };

        var errors = Errors(bad).Errors;

        Assert.Contains(errors, e => e.Contains("Name must be kebab-case"));
        Assert.Contains(errors, e => e.Contains("Agent 'agent-7' is not in the topology; it has agent-2, agent-3, agent-9"));
        Assert.Contains(errors, e => e.Contains("'tune' is not a stage"));
        Assert.Contains(errors, e => e.Contains("Stages must keep the pipeline order"));
        Assert.Contains(errors, e => e.Contains("Base is required"));
        Assert.Contains(errors, e => e.Contains("Run is required"));
        Assert.Contains(errors, e => e.Contains("Publish is required"));
        Assert.Contains(errors, e => e.Contains("Arguments:sft sets --model; the job passes its own Base and Run"));
        Assert.Contains(errors, e => e.Contains("Arguments:eval is not a stage's"));
    }

    [Fact]
    public void OnlyLocalAgentsAreTrained()
    {
        Assert.Contains("agent-9 has a hosted backend; only local agents have a checkpoint to train", Assert.Single(Errors(Job("selfaware-gpt", "agent-9")).Errors));
    }

    [Fact]
    public void AConfigFileWithAgentsButNoJobsIsANetworkWithoutJobs()
    {
        var baseConfig = Json("""{"DiSRouter":{"Jobs":[{"Name":"a","Agent":"agent-1","Run":"r/a","Publish":"p/a","Base":"b/a"}]}}""");
        var overlay = Json("""{"DiSRouter":{"Agents":[{"Name":"x","Backend":"hosted"}]}}""");
        var layered = new ConfigurationBuilder().AddConfiguration(baseConfig).AddConfiguration(overlay).Build();

        Assert.Empty(JobsReader.Read(layered, overlay, TopologyAgent.Read(layered, overlay), Root));
    }

    [Fact]
    public void AJobMustPublishSomething()
    {
        var spec = Job();
        spec.Stages = ["sample"];

        Assert.Contains("Stages must include sft or rl", Assert.Single(Errors(spec).Errors));
    }

    [Fact]
    public void AnAgentIsTrainedFromItsOwnModel()
    {
        var spec = Job();
        spec.Base = "models/nano-pool/nano-2"; // copied from the job above it

        Assert.Contains("Base is models/nano-pool/nano-2 but agent-3 serves models/nano-pool/nano-3", Assert.Single(Errors(spec).Errors));
    }

    [Fact]
    public void TwoAgentsNeverShareARunDirectoryOrAServingCheckpoint()
    {
        var other = Job("selfaware-nano-2", "agent-2", 2);
        other.Run = "runs/selfaware/nano-3";
        other.Publish = "models/nano-selfaware/nano-3";

        var errors = Errors(Job(), other).Errors;

        Assert.Contains(errors, e => e.Contains("share the run directory /repo/runs/selfaware/nano-3 but train different agents"));
        Assert.Contains(errors, e => e.Contains("publish to /repo/models/nano-selfaware/nano-3 from different agents"));
    }

    [Fact]
    public void TwoJobsOfOneAgentMayShareItsRun()
    {
        var refresh = Job("selfaware-nano-3-rl");
        refresh.Stages = ["rl"];
        refresh.Schedule = "0 0 4 * * ?";

        var sut = JobsReader.Plan([Job(), refresh], Agents, Root);

        Assert.Equal(2, sut.Count);
    }

    [Fact]
    public void AConfigFileWithJobsReplacesTheWholeList()
    {
        var baseConfig = Json("""{"DiSRouter":{"Jobs":[{"Name":"a","Agent":"x","Run":"r/a","Publish":"p/a","Base":"b/a"},{"Name":"b","Agent":"x","Run":"r/a","Publish":"p/a","Base":"b/a"}]}}""");
        var overlay = Json("""{"DiSRouter":{"Jobs":[{"Name":"z","Agent":"x","Run":"r/z","Publish":"p/z","Base":"b/z","Stages":["sft"],"Arguments":{"sft":["--steps","2"]}}]}}""");
        var layered = new ConfigurationBuilder().AddConfiguration(baseConfig).AddConfiguration(overlay).Build();

        var sut = Assert.Single(JobsReader.Read(layered, overlay, [], Root));

        Assert.Equal("z", sut.Name);
        Assert.Equal(["sft", "--model", "/repo/b/z", "--out", "/repo/r/z", "--steps", "2"], Assert.Single(sut.Stages).Arguments);
    }

    [Fact]
    public void ArgumentsSplitLikeAShellWithoutExpansions()
    {
        Assert.Equal(["--a", "1", "--b", "x y", "", "c'd"], JobsReader.SplitArguments("  --a 1 --b \"x y\" '' \"c'd\" "));
        Assert.Contains("unclosed", Assert.Throws<FormatException>(() => JobsReader.SplitArguments("--b \"x")).Message);
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();

    /// <summary>The AppHost's settings in this checkout (found from this source file: builds may put binaries anywhere).</summary>
    private static string ShippedSettings([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", JobConfiguration.SettingsFile));
}
