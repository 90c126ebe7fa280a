using DiSRouter.Core.Tasks;
using DiSRouter.Models;
using DiSRouter.Models.Checkpoints;
using DiSRouter.Models.Tokenization;
using DiSRouter.Models.Training;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed class PretrainLearningTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;

    [Fact]
    public void SecondsOfPretrainingOnOneEasyFamilyRaiseHeldOutAnswerLikelihood()
    {
        using var dir = new TempDirectory();
        var world = new CorpusSpec { ItemsPerFamily = 256, DifficultyWeights = [1, 0, 0, 0, 0] };
        var corpus = NanoWorld.BuildCorpus(world, Tokenizer, families: [TaskFamilies.Arithmetic]);
        var spec = NanoPool.Member("probe", hidden: 32, layers: 1, heads: 2, kvHeads: 2, tied: true, seed: 3, cost: 0.1, steps: 60, lr: 1e-2f)
            with { BatchSize = 16, MicroBatchSize = 16, WarmupSteps = 5 };
        var heldOut = HeldOut(world);
        double before = MeanAnswerLogProb(TransformerModel.Create(spec.Config, spec.Seed), heldOut);
        var losses = new List<double>();

        var result = new ModelPretrainer(spec, corpus, Tokenizer).Run(dir.Sub("work"), dir.Sub("out"),
            new PretrainRunOptions { OutputDType = CheckpointDType.F32, OnStep = (_, loss) => losses.Add(loss) });
        double after = MeanAnswerLogProb(Checkpoint.Load(dir.Sub("out")).Model, heldOut);

        Assert.Equal(PretrainStatus.Trained, result.Status);
        Assert.Equal(["arithmetic"], corpus.CountsBySource.Keys);
        Assert.True(losses.TakeLast(10).Average() < 0.6 * losses.Take(5).Average(), $"loss {losses.Take(5).Average():F3} → {losses.TakeLast(10).Average():F3}");
        // ln(1/264) ≈ −5.6 nats per token untrained; the template and digits alone are worth several nats.
        Assert.True(after > before + 2, $"held-out answer log-likelihood {before:F3} → {after:F3} nats/token");
    }

    /// <summary>Validation questions (never trained on) with their reference answers, as (tokens, mask) pairs.</summary>
    private static IReadOnlyList<(int[] Tokens, float[] Mask)> HeldOut(CorpusSpec world) =>
        NanoWorld.Suite(world).Generate(TaskFamilies.Arithmetic, TaskSplit.Validation, 24)
            .Select(item => ChatFormat.EncodeExample(Tokenizer, NanoWorld.SystemPrompt, item.Prompt, item.Target)).ToArray();

    private static double MeanAnswerLogProb(TransformerModel model, IReadOnlyList<(int[] Tokens, float[] Mask)> items)
    {
        var logProbs = LogProbs.Compute(model, items.Select(i => i.Tokens).ToArray());
        double sum = 0, count = 0;
        for (int i = 0; i < items.Count; i++)
            for (int t = 1; t < items[i].Tokens.Length; t++)
                if (items[i].Mask[t] > 0) { sum += logProbs[i][t - 1]; count++; }
        return sum / count;
    }
}
