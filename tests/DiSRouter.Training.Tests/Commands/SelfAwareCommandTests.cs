using System.CommandLine;
using DiSRouter.Training.Commands;
using DiSRouter.Training.SelfAwareness;
using DiSRouter.Training.Tests.SelfAwareness;

namespace DiSRouter.Training.Tests.Commands;

public sealed class SelfAwareCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Rc, string Out, string Err) Invoke(params string[] args)
    {
        var root = new RootCommand { SampleCommand.Create(), SftCommand.Create(), RlCommand.Create(), CalibrateCommand.Create(), ReportCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (rc, output.ToString(), error.ToString());
    }

    [Fact]
    public void SampleDrawsTheRequestedQueriesFromEveryFamilyAndGradesEachSample()
    {
        var model = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        var (rc, output, error) = Invoke("sample", "--model", model, "--out", run, "--n", "2", "--queries", "6", "--max-new-tokens", "6");

        Assert.True(rc == 0, error);
        var records = JsonlFile.Read<QuerySamples>(SamplingStage.SamplesPath(run));
        Assert.Equal(6, records.Count);
        Assert.Equal(6, records.Select(r => r.Family).Distinct().Count()); // one per in-domain family
        Assert.All(records, r => Assert.Equal(2, r.Samples.Count));
        Assert.All(records, r => Assert.Equal("", r.System)); // the pool's pretraining layout
        Assert.Contains("sampled 6 queries × 2", output);
        Assert.True(File.Exists(StageReport.PathFor(run, "sample")));
    }

    [Fact]
    public void SampleTakesATemperatureAndRecordsItAndRefusesOneThatCannotSample()
    {
        var model = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        var (rc, _, error) = Invoke("sample", "--model", model, "--out", run, "--n", "2", "--queries", "2", "--max-new-tokens", "4", "--temperature", "0.5");
        Assert.True(rc == 0, error);
        Assert.Equal(0.5, StageReport.TryLoad(StageReport.PathFor(run, "sample"))!.Details["temperature"].GetDouble());

        (rc, _, error) = Invoke("sample", "--model", model, "--out", run, "--temperature", "0");
        Assert.Equal(2, rc);
        Assert.Contains("--temperature must lie in (0, 5]", error);
        (rc, _, error) = Invoke("sft", "--model", model, "--out", run, "--max-repeats", "0");
        Assert.Equal(2, rc);
        Assert.Contains("--max-repeats must be at least 1", error);
    }

    [Fact]
    public void CalibrateWritesEachCheckpointsThresholdsAndPrintsThemPerAlpha()
    {
        var run = Path.Combine(_dir, "nano-1");
        TinyWorld.SaveRandomModel(Path.Combine(run, "rl"), seed: 4);

        var (rc, output, error) = Invoke("calibrate", "--out", run, "--items-per-family", "1", "--alphas", "0.2,0.8", "--max-new-tokens", "8", "--gamma", "0.5");

        Assert.True(rc == 0, error);
        var thresholds = Models.Checkpoints.DecisionThresholds.TryRead(Path.Combine(run, "rl"))!;
        Assert.Equal([0.2, 0.8], thresholds.Points.Select(p => p.Alpha));
        Assert.Contains("calibrate rl: 6 validation queries × 2 α, γ = 0.5", output);
        Assert.Contains("α 0.20: threshold", output);
        Assert.False(Directory.Exists(Path.Combine(run, "sft"))); // only the checkpoints that are there
    }

    [Theory]
    [InlineData("--split", "test", "Calibrating on the test split")]
    [InlineData("--checkpoints", "base", "--checkpoints takes sft and/or rl, not base")]
    [InlineData("--gamma", "2", "γ must lie in [0, 1]")]
    [InlineData("--alphas", "0.2,1.5", "'1.5' is neither an α in [0, 1]")]
    public void CalibrateRefusesBadInputWithTheReason(string option, string value, string reason)
    {
        var run = Path.Combine(_dir, "nano-1");
        TinyWorld.SaveRandomModel(Path.Combine(run, "rl"), seed: 4);

        var (rc, _, error) = Invoke("calibrate", "--out", run, option, value);

        Assert.Equal(2, rc);
        Assert.Contains(reason, error);
        Assert.False(File.Exists(Path.Combine(run, "rl", Models.Checkpoints.DecisionThresholds.FileName)));
    }

    [Fact]
    public void CalibrateWithoutTrainedCheckpointsSaysWhatToRunFirst()
    {
        var (rc, _, error) = Invoke("calibrate", "--out", Path.Combine(_dir, "empty"));
        Assert.Equal(2, rc);
        Assert.Contains("run sft and rl first", error);
    }

    [Fact]
    public void ReportRefusesAPoolWithoutManifestAndAnEmptyTestSetWithTheReason()
    {
        var (rc, _, error) = Invoke("report", "selfaware", "--pool-dir", Path.Combine(_dir, "nowhere"));
        Assert.Equal(2, rc);
        Assert.Contains("No pool manifest", error);

        (rc, _, error) = Invoke("report", "selfaware", "--items-per-family", "0");
        Assert.Equal(2, rc);
        Assert.Contains("--items-per-family must be at least 1", error);
    }

    [Fact]
    public void ReportFallsBackToTheCommittedSelfAwareCheckpointsWhenNoRunHasThem()
    {
        // A fresh clone has no runs/: the report must still find models/nano-sft and models/nano-selfaware.
        var pool = DiSRouter.Training.Pool.PoolPaths.PoolDirectory("nano");
        var (rc, output, error) = Invoke("report", "selfaware", "--pool-dir", pool, "--runs", Path.Combine(_dir, "no-runs"),
            "--agents", "nano-1", "--items-per-family", "1", "--delta-queries", "0", "--json");

        Assert.True(rc == 0, error);
        var methods = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "utility")
            .Select(e => e.GetProperty("method").GetString()).Distinct().ToList();
        Assert.Contains("disrouter-sft", methods);
        Assert.Contains("disrouter-rl", methods);
    }

    [Fact]
    public void BadInputsAreRefusedWithTheReason()
    {
        var model = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var (rc, _, error) = Invoke("sample", "--model", model, "--out", _dir, "--n", "0");
        Assert.Equal((2, true), (rc, error.Contains("--n must be at least 1")));

        (rc, _, error) = Invoke("sample", "--model", Path.Combine(_dir, "nowhere"), "--out", _dir);
        Assert.Equal(2, rc);
        Assert.Contains("nowhere", error);

        (rc, _, error) = Invoke("sft", "--model", model, "--out", _dir, "--alphas", "0.2,1.5");
        Assert.Equal(2, rc);
        Assert.Contains("[0, 1]", error);

        (rc, _, error) = Invoke("rl", "--out", _dir);
        Assert.Equal(2, rc);
        Assert.Contains("run `sft` first", error);

        (rc, _, error) = Invoke("rl", "--out", _dir, "--engine", "onnx");
        Assert.Equal(2, rc);
        Assert.Contains("--engine 'onnx': use disrouter or torch.", error);

        (rc, _, error) = Invoke("calibrate", "--out", _dir, "--engine", "onnx");
        Assert.Equal(2, rc);
        Assert.Contains("--engine 'onnx': use disrouter or torch.", error);

        (rc, _, error) = Invoke("sample", "--model", model, "--out", _dir, "--engine", "onnx");
        Assert.Equal(2, rc);
        Assert.Contains("--engine 'onnx': use disrouter or torch.", error);

        (rc, _, error) = Invoke("sft", "--model", model, "--out", _dir, "--balance", "sometimes");
        Assert.NotEqual(0, rc);
        Assert.Contains("sometimes", error);

        (rc, _, error) = Invoke("report", "selfaware", "--gamma", "1.5");
        Assert.Equal((2, true), (rc, error.Contains("--gamma must lie in [0, 1]")));
        (rc, _, error) = Invoke("report", "selfaware", "--ideal-samples", "-1");
        Assert.Equal((2, true), (rc, error.Contains("--ideal-samples must not be negative")));
        (rc, _, error) = Invoke("report", "selfaware", "--ideal-temperature", "-0.5");
        Assert.Equal((2, true), (rc, error.Contains("--ideal-temperature must not be negative")));
    }

    [Fact]
    public void SftWithoutAnyRejectableQueryExplainsWhyTheDataIsEmpty()
    {
        var model = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        JsonlFile.WriteAll(SamplingStage.SamplesPath(run), [SftDataBuilderTests.Query("easy", 8)]);
        var (rc, _, error) = Invoke("sft", "--model", model, "--out", run);
        Assert.Equal(1, rc);
        Assert.Contains("SFT data is empty", error);
        Assert.Contains("α=0.2: 1 answer, 0 reject", error);
    }

    [Fact]
    public void SftThenRlRunFromTheCommandLine()
    {
        var model = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = Path.Combine(_dir, "run");
        JsonlFile.WriteAll(SamplingStage.SamplesPath(run), Enumerable.Range(0, 9).Select(c => SftDataBuilderTests.Query($"q{c}", c)));

        var (rc, output, error) = Invoke("sft", "--model", model, "--out", run, "--steps", "2", "--batch", "4", "--lr", "1e-3", "--alphas", "cost-first,0.5:0.5:0.1");
        Assert.True(rc == 0, error);
        Assert.Contains("α=0.8 (δ=0.2)", output);
        Assert.Contains("α=0.5 (δ=0.5)", output);

        (rc, output, error) = Invoke("rl", "--out", run, "--queries", "3", "--steps", "1", "--k", "2", "--prompts-per-step", "3", "--max-new-tokens", "4", "--lr", "1e-3");
        Assert.True(rc == 0, error);
        Assert.Contains("rl: 1 steps", output);
        Assert.True(File.Exists(Path.Combine(run, "rl", "model.safetensors")));
        Assert.Single(JsonlFile.Read<RlStepLog>(Path.Combine(run, RlStage.LogFile)));
    }
}
