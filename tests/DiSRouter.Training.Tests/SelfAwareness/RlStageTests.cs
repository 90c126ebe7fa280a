using DiSRouter.Core.Scenarios;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using DiSRouter.Training.SelfAwareness;
using Xunit.Abstractions;

namespace DiSRouter.Training.Tests.SelfAwareness;

public sealed class RlStageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("disrouter-rl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly double[] Alphas = [0.2, 0.5, 0.8];

    // The same question with two references: whatever the model answers is right half the time, so answering earns
    // 0.5 in expectation and rejecting √(1 − α): 0.894, 0.707, 0.447. Rejecting pays at α = 0.2 and 0.5, answering at 0.8.
    private static readonly TrainingQuery[] Queries =
    [
        TinyWorld.Query("one", "Pick 1 or 2.", "1"),
        TinyWorld.Query("two", "Pick 1 or 2.", "2"),
    ];

    // The toy's own reading of a reply, by its first character: "I" declines ("I don't know!"), a digit answers.
    // Judging by the first token keeps the signal RL must find in the few steps a unit test can afford.
    private sealed class CoinGrader : IReplyGrader
    {
        public GradedReply Grade(TrainingQuery query, string reply)
        {
            var t = reply.TrimStart();
            if (t.StartsWith('I')) return new(ResponseOutcome.Rejected, null);
            var answer = t.Length > 0 ? t[..1] : "";
            return new(answer == query.Reference ? ResponseOutcome.Correct : ResponseOutcome.Wrong, answer);
        }
    }

    /// <summary>
    /// The starting policy, as SFT would leave it but answer-heavy: in every scenario it replies "1", "2" or
    /// "I don't know!" at 2 : 2 : 1 (after so few steps it also writes some junk, which earns 0), so its expected
    /// reward is at most 0.54 and the best policy's 0.70.
    /// </summary>
    private string TrainStartPolicy()
    {
        var model = TransformerModel.Create(TinyWorld.Config, seed: 11);
        var trainer = new Trainer(model, new TrainerOptions { LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 5, TotalSteps = 25, WeightDecay = 0, MicroBatchSize = 15 });
        var tok = TinyWorld.Tokenizer;
        string[] targets = ["1", "2", "1", "2", ScenarioPrompt.RejectText];
        var batch = Alphas.SelectMany(a => targets.Select(t =>
        {
            var (tokens, mask) = ChatFormat.EncodeExample(tok, SelfAwarePrompt.System(Scenario.FromAlpha(a), null, SelfAwarePrompt.Style), "Pick 1 or 2.", t);
            return new TrainingExample(tokens, mask);
        })).ToList();
        for (int i = 0; i < 25; i++) trainer.Step(batch);
        var dir = Path.Combine(_dir, "sft");
        Checkpoint.Save(dir, model, tok);
        return dir;
    }

    private static double MeanReward(string checkpoint)
    {
        var ckpt = Checkpoint.Load(checkpoint);
        // Three probe seeds × 2 queries × 3 scenarios × 32 samples: 576 replies, standard error ≈ 0.01.
        return new[] { 101, 202, 303 }.Average(seed => ScenarioProbe.Measure(ckpt.Model, ckpt.Tokenizer, Queries, Alphas, new CoinGrader(),
            new SelfAwarenessReward(), samplesPerQuery: 32, temperature: 1, maxNewTokens: 2, seed).Average(b => b.MeanReward));
    }

    private static readonly RlOptions Options = new()
    {
        Alphas = Alphas, SamplesPerQuery = 8, PromptsPerStep = 6, Steps = 10, MaxNewTokens = 4,
        LearningRate = 1e-2, MinLearningRate = 1e-2, MicroBatchSize = 24, SaveEvery = 4, Seed = 7,
    };

    [Fact]
    public void AShortRlRunRaisesTheMeanReward()
    {
        var sft = TrainStartPolicy();
        double before = MeanReward(sft);
        var result = new RlStage(new CoinGrader(), Options).Run(sft, Queries, Path.Combine(_dir, "run"));
        double after = MeanReward(result.CheckpointDirectory);
        output.WriteLine($"mean reward {before:0.000} → {after:0.000}; per step: {string.Join(", ", result.Log.Select(l => l.MeanReward.ToString("0.00")))}");

        // Rejecting everywhere would earn 0.683 and the best policy 0.700; the start earns about 0.4 (it still writes junk).
        Assert.True(after > before + 0.04, $"mean reward {before:0.000} → {after:0.000}");
        Assert.Equal(10, result.Log.Count);
        Assert.Equal(10 * 6 * 8, result.Report.SamplesDrawn);
        Assert.Equal("rl", Checkpoint.Load(result.CheckpointDirectory).Metadata["stage"]);
    }

    // Rewards with variance from any model, even an untrained one: a reply of even length counts as correct.
    private sealed class ParityGrader : IReplyGrader
    {
        public GradedReply Grade(TrainingQuery query, string reply) =>
            new(reply.Length % 2 == 0 ? ResponseOutcome.Correct : ResponseOutcome.Wrong, reply);
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameWeightsAndLogAsAnUninterruptedOne()
    {
        var start = TinyWorld.SaveRandomModel(Path.Combine(_dir, "start"), seed: 2);
        var options = Options with { Steps = 3, PromptsPerStep = 3, SamplesPerQuery = 4, SaveEvery = 1 };
        var whole = new RlStage(new ParityGrader(), options).Run(start, Queries, Path.Combine(_dir, "whole"));

        var run = Path.Combine(_dir, "resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new RlStage(new ParityGrader(), options).Run(start, Queries, run, p => { if (p.Done == 1) cts.Cancel(); }, cts.Token));
        Assert.False(Directory.Exists(Path.Combine(run, RlStage.CheckpointFolder)));
        var resumed = new RlStage(new ParityGrader(), options).Run(start, Queries, run);

        var a = Checkpoint.Load(whole.CheckpointDirectory).Model;
        var b = Checkpoint.Load(resumed.CheckpointDirectory).Model;
        for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Data, b.Parameters[i].Data);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "whole", RlStage.LogFile)), File.ReadAllText(Path.Combine(run, RlStage.LogFile)));
        Assert.Equal((2, 3L * 3 * 4), (resumed.Report.Runs, resumed.Report.SamplesDrawn));
    }

    [Fact]
    public void TheTorchEngineTakesTheSameRlStepAsOurs()
    {
        // One step: the same seeded rollouts (the two samplers draw the same tokens from logits equal to ~1e-6), so the
        // same rewards and advantages; then the clipped surrogate's loss and the update, which must agree within rounding.
        var start = TinyWorld.SaveRandomModel(Path.Combine(_dir, "start"), seed: 2);
        var options = Options with { Steps = 1, PromptsPerStep = 3, SamplesPerQuery = 4, UpdatesPerBatch = 2, LearningRate = 1e-3, MinLearningRate = 1e-3 };
        var ours = new RlStage(new ParityGrader(), options).Run(start, Queries, Path.Combine(_dir, "ours"));
        var torch = new RlStage(new ParityGrader(), options with { TorchDevice = "cpu" }).Run(start, Queries, Path.Combine(_dir, "torch"));

        var (a, b) = (Assert.Single(ours.Log), Assert.Single(torch.Log));
        Assert.Equal((a.MeanReward, a.AnswerRate, a.MeanResponseTokens), (b.MeanReward, b.AnswerRate, b.MeanResponseTokens));
        Assert.True(Math.Abs(a.Loss - b.Loss) < 1e-5, $"loss {a.Loss} vs {b.Loss}");
        Assert.True(Math.Abs(a.Kl - b.Kl) < 1e-5, $"kl {a.Kl} vs {b.Kl}");
        Assert.True(Math.Abs(a.GradNorm - b.GradNorm) < 1e-3 * a.GradNorm, $"grad norm {a.GradNorm} vs {b.GradNorm}");
        Assert.True(a.GradNorm > 0);
        var wa = Checkpoint.Load(ours.CheckpointDirectory).Model;
        var wb = Checkpoint.Load(torch.CheckpointDirectory).Model;
        var w0 = Checkpoint.Load(start).Model;
        // Two AdamW updates at lr 1e-3 move a weight by up to ~2e-3; the engines agree to float rounding (measured 7e-8).
        float moved = wa.Parameters.Max(p => p.Data.Zip(w0.Find(p.Name)!.Data, (x, y) => Math.Abs(x - y)).Max());
        float apart = wa.Parameters.Max(p => p.Data.Zip(wb.Find(p.Name)!.Data, (x, y) => Math.Abs(x - y)).Max());
        output.WriteLine($"max |Δw| from the start {moved}, between the engines {apart}");
        Assert.True(moved > 1e-3, $"the step moved the weights by only {moved}");
        Assert.True(apart < 1e-6, $"the engines' weights differ by up to {apart}");
    }

    [Fact]
    public void AnInterruptedTorchRunResumesOnOurEngineAndFinishesCloseToAnUninterruptedOne()
    {
        // One resume-point format for both engines: a run stopped on TorchSharp goes on on ours (a GPU run finished on a CPU).
        var start = TinyWorld.SaveRandomModel(Path.Combine(_dir, "start"), seed: 2);
        var options = Options with { Steps = 3, PromptsPerStep = 3, SamplesPerQuery = 4, SaveEvery = 1, LearningRate = 1e-3, MinLearningRate = 1e-3 };
        var whole = new RlStage(new ParityGrader(), options).Run(start, Queries, Path.Combine(_dir, "whole"));

        var run = Path.Combine(_dir, "resumed");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new RlStage(new ParityGrader(), options with { TorchDevice = "cpu" })
            .Run(start, Queries, run, p => { if (p.Done == 2) cts.Cancel(); }, cts.Token));
        var resumed = new RlStage(new ParityGrader(), options).Run(start, Queries, run);

        Assert.Equal(whole.Log.Select(l => l.MeanReward), resumed.Log.Select(l => l.MeanReward));
        Assert.Equal((2, 3L), (resumed.Report.Runs, resumed.Report.OptimizerSteps));
        var a = Checkpoint.Load(whole.CheckpointDirectory).Model;
        var b = Checkpoint.Load(resumed.CheckpointDirectory).Model;
        float apart = a.Parameters.Max(p => p.Data.Zip(b.Find(p.Name)!.Data, (x, y) => Math.Abs(x - y)).Max());
        output.WriteLine($"max |Δw| between the uninterrupted run and the one resumed across engines: {apart}");
        Assert.True(apart < 1e-6, $"the weights differ by up to {apart}"); // measured 7e-8: rounding, no lost state
    }

    [Fact]
    public void ACompletedRunWithTheSameInputsIsKeptAndADifferentQuerySetTrainsAgain()
    {
        var start = TinyWorld.SaveRandomModel(Path.Combine(_dir, "start"), seed: 2);
        var options = Options with { Steps = 2, PromptsPerStep = 3, SamplesPerQuery = 2 };
        var run = Path.Combine(_dir, "run");
        var first = new RlStage(new ParityGrader(), options).Run(start, Queries, run);
        var weights = Path.Combine(first.CheckpointDirectory, Checkpoint.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        var written = File.GetLastWriteTimeUtc(weights);

        var again = new RlStage(new ParityGrader(), options).Run(start, Queries, run);
        Assert.True(again.Reused);
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
        Assert.Equal(bytes, File.ReadAllBytes(weights));
        Assert.Equal(first.Log.Select(l => l.MeanReward), again.Log.Select(l => l.MeanReward));
        Assert.Equal(first.Report.SamplesDrawn, again.Report.SamplesDrawn);

        var fewer = new RlStage(new ParityGrader(), options).Run(start, Queries[..1], run);
        Assert.False(fewer.Reused);
        Assert.Equal(1, fewer.Report.Runs);
    }
}
