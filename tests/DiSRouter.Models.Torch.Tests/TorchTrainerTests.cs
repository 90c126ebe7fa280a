using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using static TorchSharp.torch;

namespace DiSRouter.Models.Torch.Tests;

public sealed class TorchTrainerTests
{
    // ε = 1e-6 rather than 1e-8: AdamW's first step moves a weight by lr·g/(|g| + ε), which for |g| near ε turns the
    // last bits of a tiny gradient (float sums in another order) into a visible share of lr; a larger ε keeps the
    // comparison about the maths, not about rounding. Both engines get the same options.
    private static readonly TrainerOptions Options = new() { LearningRate = 1e-3, WarmupSteps = 0, MicroBatchSize = 2, Eps = 1e-6 };

    [Fact]
    public void OneSftStepGivesTheSameLossAndWeightsAsTheManagedTrainer()
    {
        var dir = NanoCheckpoints.Pool(2);
        var ours = Checkpoint.Load(dir);
        using var model = TorchTransformer.Load(dir, CPU);
        var batch = Examples(ours.Tokenizer, 5);

        var expected = new Trainer(ours.Model, Options).Step(batch);
        using var trainer = new TorchTrainer(model, Options);
        var actual = trainer.Step(batch);

        Assert.Equal(expected.TargetWeight, actual.TargetWeight);
        Assert.True(Math.Abs(expected.Loss - actual.Loss) < 1e-5, $"loss {expected.Loss} vs {actual.Loss}");
        Assert.True(Math.Abs(expected.GradNorm - actual.GradNorm) < 1e-4 * expected.GradNorm, $"grad norm {expected.GradNorm} vs {actual.GradNorm}");
        Assert.Equal(expected.LearningRate, actual.LearningRate);
        AssertSameWeights(ours.Model, model, (float)(0.01 * Options.LearningRate));
    }

    [Fact]
    public void TheLogProbabilityPathOfRlMatchesTheManagedTrainer()
    {
        var dir = NanoCheckpoints.Pool(1);
        var ours = Checkpoint.Load(dir);
        using var model = TorchTransformer.Load(dir, CPU);
        var sequences = Examples(ours.Tokenizer, 3).Select(e => e.Tokens).ToList();
        var ourTrainer = new Trainer(ours.Model, Options);
        using var torchTrainer = new TorchTrainer(model, Options);

        using var ourPass = ourTrainer.ForwardLogProbs(sequences);
        using var torchPass = torchTrainer.ForwardLogProbs(sequences);
        for (int i = 0; i < sequences.Count; i++)
            Assert.True(TorchTransformerTests.MaxAbsDiff(ourPass.LogProbs[i], torchPass.LogProbs[i]) < 1e-4);

        // A policy-gradient-like loss: −advantage · Σ log p, with a different advantage per sequence.
        var grads = ourPass.LogProbs.Select((lp, i) => Enumerable.Repeat(i % 2 == 0 ? -0.5f : 0.25f, lp.Length).ToArray()).ToList();
        ourTrainer.Backward(ourPass, grads);
        torchTrainer.Backward(torchPass, grads);
        var a = ourTrainer.OptimizerStep();
        var b = torchTrainer.OptimizerStep();
        Assert.True(Math.Abs(a.GradNorm - b.GradNorm) < 1e-4 * a.GradNorm, $"grad norm {a.GradNorm} vs {b.GradNorm}");
        AssertSameWeights(ours.Model, model, (float)(0.01 * Options.LearningRate));
        Assert.Throws<InvalidOperationException>(() => torchTrainer.Backward(torchPass, grads));
    }

    [Fact]
    public void AnOptimizerStateSavedByEitherEngineResumesOnTheOther()
    {
        var dir = NanoCheckpoints.Pool(1);
        var tokenizer = Checkpoint.Load(dir).Tokenizer;
        var batch = Examples(tokenizer, 4);
        var path = Path.Combine(Directory.CreateTempSubdirectory("disrouter-adam-").FullName, "trainer.state");
        try
        {
            // Our trainer takes two steps and saves; the torch trainer loads the weights and the state and takes the third,
            // which must match our own third step (same moments, same step count, so the same bias correction and rate).
            var ours = Checkpoint.Load(dir).Model;
            var ourTrainer = new Trainer(ours, Options with { TotalSteps = 10, WarmupSteps = 2 });
            ourTrainer.Step(batch);
            ourTrainer.Step(batch);
            ourTrainer.SaveState(path);
            using var model = TorchTransformer.FromModel(ours, CPU);
            using var torchTrainer = new TorchTrainer(model, Options with { TotalSteps = 10, WarmupSteps = 2 });
            torchTrainer.LoadState(path);
            Assert.Equal(2, torchTrainer.StepCount);
            var expected = ourTrainer.Step(batch);
            var actual = torchTrainer.Step(batch);
            Assert.Equal((3, expected.LearningRate), (actual.Step, actual.LearningRate));
            AssertSameWeights(ours, model, (float)(0.01 * Options.LearningRate));

            // And back: the torch trainer's state file is ours, byte layout and all.
            torchTrainer.SaveState(path);
            var back = new Trainer(model.ToModel(), Options with { TotalSteps = 10, WarmupSteps = 2 });
            back.LoadState(path);
            Assert.Equal(3, back.StepCount);
            var again = back.Step(batch);
            var reference = ourTrainer.Step(batch);
            Assert.True(Math.Abs(again.Loss - reference.Loss) < 1e-5, $"loss {reference.Loss} vs {again.Loss}");
            Assert.True(Math.Abs(again.GradNorm - reference.GradNorm) < 1e-4 * reference.GradNorm, $"grad norm {reference.GradNorm} vs {again.GradNorm}");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void AStateFileOfAnotherModelIsRefusedBeforeAnyMomentChanges()
    {
        var tokenizer = Checkpoint.Load(NanoCheckpoints.Pool(1)).Tokenizer;
        var batch = Examples(tokenizer, 2);
        var dir = Directory.CreateTempSubdirectory("disrouter-adam-").FullName;
        try
        {
            // A state of nano-2 (other layer count) offered to a nano-1 trainer that has taken a step: refused, moments kept.
            using var other = TorchTransformer.Load(NanoCheckpoints.Pool(2), CPU);
            using var otherTrainer = new TorchTrainer(other, Options);
            otherTrainer.Step(batch);
            var path = Path.Combine(dir, "trainer.state");
            otherTrainer.SaveState(path);
            using var model = TorchTransformer.Load(NanoCheckpoints.Pool(1), CPU);
            using var trainer = new TorchTrainer(model, Options);
            trainer.Step(batch);
            var mine = Path.Combine(dir, "mine.state");
            trainer.SaveState(mine);

            var e = Assert.Throws<InvalidDataException>(() => trainer.LoadState(path));
            Assert.Contains("parameters, the model has", e.Message);
            // Its own state cut short: every entry but the last checks out, and still nothing is streamed in.
            var cut = Path.Combine(dir, "cut.state");
            File.WriteAllBytes(cut, File.ReadAllBytes(mine)[..^8]);
            trainer.Step(batch);
            trainer.SaveState(mine);
            e = Assert.Throws<InvalidDataException>(() => trainer.LoadState(cut));
            Assert.Contains("truncated", e.Message);
            trainer.SaveState(Path.Combine(dir, "after.state"));
            Assert.Equal(File.ReadAllBytes(mine), File.ReadAllBytes(Path.Combine(dir, "after.state")));
            Assert.Equal(2, trainer.StepCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TrainingLowersTheLossOnTheBatch()
    {
        var ours = Checkpoint.Load(NanoCheckpoints.Pool(1));
        using var model = TorchTransformer.FromModel(ours.Model, CPU);
        using var trainer = new TorchTrainer(model, Options with { LearningRate = 3e-3 });
        var batch = Examples(ours.Tokenizer, 4);
        double first = trainer.Step(batch).Loss, last = first;
        for (int i = 0; i < 5; i++) last = trainer.Step(batch).Loss;
        Assert.True(last < first * 0.9, $"loss {first} → {last}");
        Assert.Equal(6, trainer.StepCount);
    }

    [Fact]
    public void ABatchWithNothingToTrainIsRefused()
    {
        var ours = Checkpoint.Load(NanoCheckpoints.Pool(1));
        using var model = TorchTransformer.FromModel(ours.Model, CPU);
        using var trainer = new TorchTrainer(model, Options);
        var e = Assert.Throws<ArgumentException>(() => trainer.Step([new TrainingExample([1, 2, 3], [0f, 0f, 0f])]));
        Assert.Contains("nothing to train", e.Message);
    }

    private static List<TrainingExample> Examples(ITokenizer tokenizer, int count) =>
        NanoCheckpoints.EvaluationPrompts(1).Take(count)
            .Select((p, i) => ChatFormat.EncodeExample(tokenizer, p.System, p.Question, $"Let's think step by step: answer {i}."))
            .Select(e => new TrainingExample(e.Tokens, e.LossMask)).ToList();

    private static void AssertSameWeights(TransformerModel expected, TorchTransformer actual, float tolerance)
    {
        foreach (var p in expected.Parameters)
        {
            float diff = TorchTransformerTests.MaxAbsDiff(p.Data, TorchTransformer.Read(actual.Parameters[p.Name]));
            Assert.True(diff < tolerance, $"{p.Name}: max |Δw| = {diff}");
        }
    }
}
