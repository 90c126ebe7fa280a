using DiSRouter.Core.Scenarios;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Tests.SelfAwareness;

/// <summary>
/// The scenario wording as a property of a checkpoint: chosen at sft, recorded beside the weights
/// (scenario_prompt.json), carried through rl, and what calibrate prompts with; sft in the paper's configuration
/// (per-scenario balance, the full texts, a wider context). Tiny sizes, real training steps, real files.
/// </summary>
public sealed class ScenarioPromptStyleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-style-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly double[] Named = [0.2, 0.5, 0.8];

    private static readonly SftOptions Paper = new()
    {
        Alphas = Named, Balance = SftBalance.PerScenario, PromptStyle = ScenarioPromptStyle.Full, Context = 640,
        Steps = 3, BatchSize = 4, MicroBatchSize = 4, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 1, SaveEvery = 5, Seed = 3,
    };

    /// <summary>A run folder holding samples.jsonl for q0 … q8 with 0 … 8 correct samples out of 8.</summary>
    private string PrepareRun(string name)
    {
        var run = Path.Combine(_dir, name);
        JsonlFile.WriteAll(SamplingStage.SamplesPath(run), Enumerable.Range(0, 9).Select(c => SftDataBuilderTests.Query($"q{c}", c)));
        return run;
    }

    [Fact]
    public void AFolderWithoutTheFileIsCompactAndTheFileRoundTrips()
    {
        Assert.Equal(ScenarioPromptStyle.Compact, ScenarioPromptFile.Read(_dir));
        ScenarioPromptFile.Write(_dir, ScenarioPromptStyle.Full);
        Assert.Equal(ScenarioPromptStyle.Full, ScenarioPromptFile.Read(_dir));
        ScenarioPromptFile.Write(_dir, ScenarioPromptStyle.Compact);
        Assert.Equal(ScenarioPromptStyle.Compact, ScenarioPromptFile.Read(_dir));
        File.WriteAllText(Path.Combine(_dir, ScenarioPromptFile.FileName), "{\"style\": \"verbose\"}");
        Assert.Contains("compact", Assert.Throws<InvalidDataException>(() => ScenarioPromptFile.Read(_dir)).Message);
    }

    [Fact]
    public void PaperSftBalancesEveryScenarioWritesTheFullTextsAndRecordsTheStyleAndAWiderContext()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");

        var result = new SftStage(Paper).Run(baseDir, run);

        var data = JsonlFile.Read<SftExample>(Path.Combine(run, SftStage.DataFile));
        foreach (var alpha in Named)
        {
            var scenario = data.Where(e => e.Alpha == alpha).ToList();
            Assert.NotEmpty(scenario);
            Assert.Equal(scenario.Count(e => e.Reject), scenario.Count(e => !e.Reject)); // as many answers as rejections in every scenario
            Assert.All(scenario, e => Assert.Equal(ScenarioPrompt.For(Scenario.FromAlpha(alpha), ScenarioPromptStyle.Full), e.System));
        }
        Assert.Equal(ScenarioPromptStyle.Full, ScenarioPromptFile.Read(result.CheckpointDirectory));
        var ckpt = Checkpoint.Load(result.CheckpointDirectory);
        Assert.Equal(640, ckpt.Model.Config.MaxPositionEmbeddings);
        Assert.Equal(TinyWorld.Config with { MaxPositionEmbeddings = 640 }, ckpt.Model.Config); // nothing else of the shape moved
        Assert.Equal(3L, result.Report.OptimizerSteps);

        // The compact default writes no file and keeps the base's context; its options hash as before the choice existed.
        var compact = new SftStage(Paper with { PromptStyle = null, Context = null }).Run(baseDir, PrepareRun("compact"));
        Assert.False(File.Exists(Path.Combine(compact.CheckpointDirectory, ScenarioPromptFile.FileName)));
        Assert.Equal(TinyWorld.Config.MaxPositionEmbeddings, Checkpoint.Load(compact.CheckpointDirectory).Model.Config.MaxPositionEmbeddings);
        var json = System.Text.Json.JsonSerializer.Serialize(Paper with { PromptStyle = null, Context = null }, JsonlFile.Json);
        Assert.DoesNotContain("style", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("context", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RlCarriesTheSftCheckpointsStyleAndCalibrationPromptsInIt()
    {
        var baseDir = TinyWorld.SaveRandomModel(Path.Combine(_dir, "base"), seed: 1);
        var run = PrepareRun("run");
        var sft = new SftStage(Paper).Run(baseDir, run).CheckpointDirectory;
        TrainingQuery[] queries = [TinyWorld.Query("one", "Pick 1 or 2.", "1"), TinyWorld.Query("two", "Pick 1 or 2.", "2")];

        var rl = new RlStage(new ToyGrader(), new RlOptions
        {
            Alphas = Named, Gamma = 0.5, SamplesPerQuery = 2, PromptsPerStep = 6, Steps = 2, MaxNewTokens = 4, LearningRate = 1e-3, MinLearningRate = 1e-3, Seed = 7,
        }).Run(sft, queries, run);

        Assert.Equal(ScenarioPromptStyle.Full, ScenarioPromptFile.Read(rl.CheckpointDirectory));
        Assert.Equal(640, Checkpoint.Load(rl.CheckpointDirectory).Model.Config.MaxPositionEmbeddings);

        // The same weights calibrated with and without the record: the full texts are other prompts, so other logit gaps,
        // and the compact replies logged first are not reused for the full wording.
        var calibration = new CalibrationStage(new ToyGrader(), new CalibrationOptions { Alphas = Named, Gamma = 0.5, MaxNewTokens = 4, Parallelism = 2 });
        var file = Path.Combine(rl.CheckpointDirectory, ScenarioPromptFile.FileName);
        File.Move(file, file + ".aside");
        calibration.Run(rl.CheckpointDirectory, queries, run);
        var compactLog = JsonlFile.Read<CalibrationRecord>(CalibrationStage.LogPath(run, "rl"));
        File.Move(file + ".aside", file);
        var asFull = calibration.Run(rl.CheckpointDirectory, queries, run);

        Assert.False(asFull.Reused);
        var logged = JsonlFile.Read<CalibrationRecord>(CalibrationStage.LogPath(run, "rl"));
        Assert.Equal(3, logged.Count);
        Assert.NotEqual(compactLog[0].Inputs, logged[0].Inputs);
        Assert.NotEqual(compactLog[0].LogitGap, logged[0].LogitGap);
        var runner = new ReplyRunner(Checkpoint.Load(rl.CheckpointDirectory).Model, TinyWorld.Tokenizer, new ToyGrader(), 4, 1) { Style = ScenarioPromptStyle.Full };
        Assert.Equal(logged[0].LogitGap, runner.Decide(queries, Scenario.FromAlpha(0.2)).Select(r => r.LogitGap));
    }

    /// <summary>
    /// Why the faithful run widens the context (docs/evaluation.md, scripts/selfaware-paper.sh): with a full scenario text,
    /// the query and the 192-token answer budget of the nano pool, no query of the nano world fits the base models' 320
    /// positions, and every one fits 640.
    /// </summary>
    [Fact]
    public void EveryNanoQueryFitsTheWidenedContextWithTheFullTextsAndNoneFitsTheBaseContext()
    {
        const int budget = 192, baseContext = 320, paperContext = 640;
        var suite = SelfAwareCli.NanoSuite();
        foreach (var split in new[] { Core.Tasks.TaskSplit.Train, Core.Tasks.TaskSplit.Validation, Core.Tasks.TaskSplit.Test })
        {
            var queries = suite.InDomainFamilies.SelectMany(f => suite.Generate(f.Name, split, split == Core.Tasks.TaskSplit.Train ? 2000 : 200)).Select(TaskQueries.ToQuery).ToList();
            var needed = queries.SelectMany(q => Scenario.Named.Select(s =>
                Models.Tokenization.ChatFormat.EncodePrompt(TinyWorld.Tokenizer, SelfAwarePrompt.System(s, q.System, ScenarioPromptStyle.Full), q.Question).Length + budget)).ToList();
            Assert.All(needed, n => Assert.InRange(n, baseContext + 1, paperContext));
        }
    }
}
